module.exports = { ...require("../../jest.preset.js"), displayName: "dr", rootDir: __dirname };
