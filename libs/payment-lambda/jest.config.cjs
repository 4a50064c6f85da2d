module.exports = { ...require("../../jest.preset.js"), displayName: "payment-lambda", rootDir: __dirname };
