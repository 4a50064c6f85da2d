module.exports = { ...require("../../jest.preset.js"), displayName: "aurora", rootDir: __dirname };
