module.exports = { ...require("../../jest.preset.js"), displayName: "cli-support", rootDir: __dirname };
