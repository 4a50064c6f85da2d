module.exports = { ...require("../../jest.preset.js"), displayName: "policy-pack", rootDir: __dirname };
