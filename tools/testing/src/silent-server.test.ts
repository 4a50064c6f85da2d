import { connect } from "node:net";
import { startSilentServer } from "./silent-server";

it("accepts connections, counts them, never answers, and closes them all", async () => {
  const silent = await startSilentServer();
  expect(silent.url).toBe(`http://127.0.0.1:${silent.port}`);
  const socket = connect(silent.port, "127.0.0.1");
  await new Promise((resolve) => socket.once("connect", resolve));
  socket.write("GET / HTTP/1.1\r\nHost: x\r\n\r\n");
  const answered = await Promise.race([new Promise((resolve) => socket.once("data", () => resolve(true))), new Promise((resolve) => setTimeout(() => resolve(false), 200))]);
  expect(answered).toBe(false);
  expect(silent.connections).toBe(1);
  const closed = new Promise((resolve) => socket.once("close", resolve));
  await silent.close();
  await closed;
});
