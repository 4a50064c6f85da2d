import { ConfigurationError, loadApiSettings, loadAuthorizerSettings, loadDatabaseSettings, loadObservabilitySettings, loadProbeSettings } from "./settings";

const AWS_ENV = { REGION_ROLE: "primary", DB_SECRET_ID: "payments-dr-db-dev", DB_WRITER_HOST: "writer.global", DB_READER_HOST: "cluster.us-east-1" };

describe("loadApiSettings", () => {
  it("reads the AWS environment with the documented defaults", () => {
    expect(loadApiSettings(AWS_ENV)).toEqual({
      regionRole: "primary",
      database: {
        endpoints: { kind: "aws", secretId: "payments-dr-db-dev", writerHost: "writer.global", readerHost: "cluster.us-east-1" },
        connectTimeoutMs: 3000,
        statementTimeoutMs: 5000,
      },
      sessionsTable: undefined,
      apiKeysTable: undefined,
      dynamodbEndpoint: undefined,
      region: "local",
      observability: { serviceName: "payments", metricsNamespace: "PaymentsDr", logLevel: "INFO" },
    });
    // Lambda sets AWS_REGION: it names this region's usage items of the API keys.
    expect(loadApiSettings({ ...AWS_ENV, AWS_REGION: "us-east-2" }).region).toBe("us-east-2");
  });

  it("lets DATABASE_URL override the AWS endpoints (local runs, tests)", () => {
    const settings = loadApiSettings({ REGION_ROLE: "dr", DATABASE_URL: "postgres://u:p@127.0.0.1:5432/db", SESSIONS_TABLE: "t", API_KEYS_TABLE: "k", DYNAMODB_ENDPOINT: "http://127.0.0.1:8000" });
    expect(settings.database.endpoints).toEqual({ kind: "url", url: "postgres://u:p@127.0.0.1:5432/db" });
    expect(settings).toMatchObject({ regionRole: "dr", sessionsTable: "t", apiKeysTable: "k", dynamodbEndpoint: "http://127.0.0.1:8000" });
  });

  it("accepts timeouts within the DESIGN §6 budgets (connect ≤ 3 s, statement ≤ 5 s)", () => {
    expect(loadDatabaseSettings({ ...AWS_ENV, DB_CONNECT_TIMEOUT_MS: "1500", DB_STATEMENT_TIMEOUT_MS: "2500" })).toMatchObject({ connectTimeoutMs: 1500, statementTimeoutMs: 2500 });
  });

  it.each([
    [{ ...AWS_ENV, REGION_ROLE: "secondary" }, /REGION_ROLE must be "primary" or "dr"/],
    [{ REGION_ROLE: "primary" }, /DB_SECRET_ID is required when DATABASE_URL is unset.*DB_WRITER_HOST.*DB_READER_HOST/],
    [{ ...AWS_ENV, DB_CONNECT_TIMEOUT_MS: "10000" }, /DB_CONNECT_TIMEOUT_MS must be between 100 and 3000/],
    [{ ...AWS_ENV, DB_STATEMENT_TIMEOUT_MS: "6000" }, /DB_STATEMENT_TIMEOUT_MS must be between 100 and 5000/],
    [{ ...AWS_ENV, DB_STATEMENT_TIMEOUT_MS: "5s" }, /DB_STATEMENT_TIMEOUT_MS must be a whole number of milliseconds/],
    [{ ...AWS_ENV, POWERTOOLS_LOG_LEVEL: "verbose" }, /POWERTOOLS_LOG_LEVEL must be "DEBUG" or "INFO"/],
  ])("refuses %j naming the variable", (env, message) => {
    expect(() => loadApiSettings(env)).toThrow(ConfigurationError);
    expect(() => loadApiSettings(env)).toThrow(message);
  });

  it("names every bad variable at once, and never prints a value (DATABASE_URL holds a password)", () => {
    const env = { REGION_ROLE: "x", DATABASE_URL: "postgres://u:hunter2@h/db", DB_CONNECT_TIMEOUT_MS: "hunter2" };
    expect(() => loadApiSettings(env)).toThrow(/REGION_ROLE.*DB_CONNECT_TIMEOUT_MS/);
    expect(() => loadApiSettings(env)).not.toThrow(/hunter2/);
  });
});

describe("loadAuthorizerSettings", () => {
  it("reads the keys table, the local endpoint and Powertools; nothing of the database", () => {
    expect(loadAuthorizerSettings({ API_KEYS_TABLE: " payments-dr-api-keys-dev ", POWERTOOLS_LOG_LEVEL: "warn" })).toEqual({
      apiKeysTable: "payments-dr-api-keys-dev",
      dynamodbEndpoint: undefined,
      observability: { serviceName: "payments", metricsNamespace: "PaymentsDr", logLevel: "WARN" },
    });
    expect(loadAuthorizerSettings({ API_KEYS_TABLE: "k", DYNAMODB_ENDPOINT: "http://127.0.0.1:8000" }).dynamodbEndpoint).toBe("http://127.0.0.1:8000");
  });

  it("requires API_KEYS_TABLE, naming every bad variable at once", () => {
    expect(() => loadAuthorizerSettings({ API_KEYS_TABLE: " ", POWERTOOLS_LOG_LEVEL: "loud" })).toThrow(ConfigurationError);
    expect(() => loadAuthorizerSettings({ POWERTOOLS_LOG_LEVEL: "loud" })).toThrow(/API_KEYS_TABLE is required by the authorizer.*POWERTOOLS_LOG_LEVEL must be/);
  });
});

describe("loadProbeSettings", () => {
  const URL_OF_HEALTH = "https://abc123.execute-api.us-east-1.amazonaws.com/prod/health";

  it("reads the target and Powertools, with a 10 s interval and Route 53's timeouts by default (4 s to connect, 2 s to answer)", () => {
    expect(loadProbeSettings({ PROBE_TARGET_URL: ` ${URL_OF_HEALTH} `, PROBE_TARGET: "primary" })).toEqual({
      url: URL_OF_HEALTH,
      target: "primary",
      intervalMs: 10_000,
      timeouts: { connectMs: 4000, answerMs: 2000 },
      observability: { serviceName: "payments", metricsNamespace: "PaymentsDr", logLevel: "INFO" },
    });
    expect(loadProbeSettings({ PROBE_TARGET_URL: URL_OF_HEALTH, PROBE_TARGET: "primary", PROBE_INTERVAL_MS: "5000", PROBE_CONNECT_TIMEOUT_MS: "2000", PROBE_ANSWER_TIMEOUT_MS: "1000" })).toMatchObject({
      intervalMs: 5000,
      timeouts: { connectMs: 2000, answerMs: 1000 },
    });
  });

  it("names every bad variable at once", () => {
    expect(() => loadProbeSettings({})).toThrow(/PROBE_TARGET_URL is required by the health probe; PROBE_TARGET is required by the health probe/);
    expect(() => loadProbeSettings({ PROBE_TARGET_URL: "ftp://example.com/health", PROBE_TARGET: "Primary Region" })).toThrow(
      /PROBE_TARGET_URL must be an http or https URL; PROBE_TARGET must be 1–32 of a-z/,
    );
    expect(() => loadProbeSettings({ PROBE_TARGET_URL: "not a url", PROBE_TARGET: "primary" })).toThrow(/PROBE_TARGET_URL must be an http or https URL/);
    expect(() => loadProbeSettings({ PROBE_TARGET_URL: URL_OF_HEALTH, PROBE_TARGET: "primary", PROBE_INTERVAL_MS: "500" })).toThrow(/PROBE_INTERVAL_MS must be between 1000 and 60000/);
    expect(() => loadProbeSettings({ PROBE_TARGET_URL: URL_OF_HEALTH, PROBE_TARGET: "primary", PROBE_INTERVAL_MS: "2000", PROBE_CONNECT_TIMEOUT_MS: "1500", PROBE_ANSWER_TIMEOUT_MS: "500" })).toThrow(
      /PROBE_CONNECT_TIMEOUT_MS \+ PROBE_ANSWER_TIMEOUT_MS must be under PROBE_INTERVAL_MS/,
    );
    expect(() => loadProbeSettings({ PROBE_TARGET_URL: URL_OF_HEALTH, PROBE_TARGET: "primary", PROBE_ANSWER_TIMEOUT_MS: "20000" })).toThrow(/PROBE_ANSWER_TIMEOUT_MS must be between 100 and 10000/);
    // Each timeout has its own bounds, whatever room the interval leaves.
    for (const value of ["50", "20000"]) {
      expect(() => loadProbeSettings({ PROBE_TARGET_URL: URL_OF_HEALTH, PROBE_TARGET: "primary", PROBE_INTERVAL_MS: "60000", PROBE_CONNECT_TIMEOUT_MS: value })).toThrow(
        /PROBE_CONNECT_TIMEOUT_MS must be between 100 and 10000/,
      );
    }
  });
});

// The migrate and cleanup functions read their logging settings and the app secret on their own (src/lambda).
describe("loadObservabilitySettings", () => {
  it("read Powertools' settings with their defaults, and refuse a bad log level naming it", () => {
    expect(loadObservabilitySettings({})).toEqual({ serviceName: "payments", metricsNamespace: "PaymentsDr", logLevel: "INFO" });
    expect(loadObservabilitySettings({ POWERTOOLS_SERVICE_NAME: "payments-migrate", POWERTOOLS_LOG_LEVEL: "debug" })).toMatchObject({ serviceName: "payments-migrate", logLevel: "DEBUG" });
    expect(() => loadObservabilitySettings({ POWERTOOLS_LOG_LEVEL: "loud" })).toThrow(ConfigurationError);
    expect(() => loadObservabilitySettings({ POWERTOOLS_LOG_LEVEL: "loud" })).toThrow(/POWERTOOLS_LOG_LEVEL must be/);
  });
});
