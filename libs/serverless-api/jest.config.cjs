module.exports = { ...require("../../jest.preset.js"), displayName: "serverless-api", rootDir: __dirname };
