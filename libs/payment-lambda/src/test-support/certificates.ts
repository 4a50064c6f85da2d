import { execFileSync } from "node:child_process";
import { chmodSync, chownSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";

/** A CA, a server certificate it signed for `localhost`, and a second CA that signed nothing here (made by openssl). */
export function makeCertificates(dir: string) {
  const file = (name: string) => join(dir, name);
  const openssl = (...args: string[]) => execFileSync("openssl", args, { stdio: "ignore" });
  const newKey = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"];
  for (const ca of ["ca", "other-ca"]) {
    openssl("req", "-x509", ...newKey, "-subj", `/CN=test ${ca}`, "-days", "1", "-keyout", file(`${ca}.key`), "-out", file(`${ca}.pem`));
  }
  openssl("req", "-new", ...newKey, "-subj", "/CN=localhost", "-keyout", file("server.key"), "-out", file("server.csr"));
  writeFileSync(file("server.ext"), "subjectAltName=DNS:localhost\n");
  openssl("x509", "-req", "-in", file("server.csr"), "-CA", file("ca.pem"), "-CAkey", file("ca.key"), "-CAcreateserial", "-days", "1", "-extfile", file("server.ext"), "-out", file("server.pem"));
  return {
    caFile: file("ca.pem"),
    otherCaFile: file("other-ca.pem"),
    keyFile: file("server.key"),
    certFile: file("server.pem"),
    key: readFileSync(file("server.key")),
    cert: readFileSync(file("server.pem")),
  };
}

/**
 * PostgreSQL's `ssl` settings for the server certificate of {@link makeCertificates}, made readable
 * to the server: as root, startPostgres runs it as the `postgres` user, and PostgreSQL accepts a
 * root-owned key only when no one but its group can read it (0640).
 */
export function postgresTlsSettings(dir: string, certificates: { keyFile: string; certFile: string }): Record<string, string | boolean> {
  if (process.getuid?.() === 0) {
    chmodSync(dir, 0o755);
    chmodSync(certificates.certFile, 0o644);
    chownSync(certificates.keyFile, 0, Number(execFileSync("id", ["-g", "postgres"], { encoding: "utf8" }).trim()));
    chmodSync(certificates.keyFile, 0o640);
  }
  return { ssl: true, ssl_cert_file: certificates.certFile, ssl_key_file: certificates.keyFile };
}
