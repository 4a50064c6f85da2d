import { createAuthorizerHandler } from "../app/authorizer";
import { createAuthorizerRuntime } from "../app/authorizer-runtime";
import { loadAuthorizerSettings } from "../config/settings";

const runtime = createAuthorizerRuntime(loadAuthorizerSettings(process.env));

// The api function loads the AWS SDK on first use because many of its invocations never need it.
// Every authorizer invocation does (it reads the keys table), so waiting buys nothing: the load
// starts now, during the init phase, instead of inside the first request's 401-or-allow budget.
// Same shared client and timeouts as everywhere else; a failed load is retried by the first request.
void runtime.dynamoDb().catch(() => undefined);

/**
 * Entry of the authorizer (bundle `authorizer/index.js`, handler `index.handler`): a REQUEST
 * authorizer with identity source `method.request.header.Authorization`. Settings validated and
 * the runtime built once per container.
 */
export const handler = createAuthorizerHandler(runtime);
