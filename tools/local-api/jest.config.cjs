module.exports = { ...require("../../jest.preset.js"), displayName: "local-api", rootDir: __dirname };
