module.exports = { ...require("../../jest.preset.js"), displayName: "primary-region", rootDir: __dirname };
