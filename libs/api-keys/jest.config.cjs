module.exports = { ...require("../../jest.preset.js"), displayName: "api-keys", rootDir: __dirname };
