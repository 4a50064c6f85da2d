module.exports = { ...require("../../jest.preset.js"), displayName: "dr-region", rootDir: __dirname };
