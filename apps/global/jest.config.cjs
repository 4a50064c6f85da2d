module.exports = { ...require("../../jest.preset.js"), displayName: "global", rootDir: __dirname };
