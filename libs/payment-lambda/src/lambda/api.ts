import { createApiHandler } from "../app/api";
import { createRuntime } from "../app/runtime";
import { loadApiSettings } from "../config/settings";

/**
 * Entry of the api function (bundle `api/index.js`, handler `index.handler`). The settings are
 * validated and the runtime built once per container; nothing touches the network until a request.
 */
export const handler = createApiHandler(createRuntime(loadApiSettings(process.env)));
