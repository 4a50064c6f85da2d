import { fromSessionItem, toSessionItem } from "../sessions/session-store";
import type { EveryField } from "../test-support/every-field";
import { inApiFieldOrder, type Payment } from "./payment";
import { requestHash } from "./request-hash";
import type { CreatePaymentRequest } from "./validation";

// Each type's every field, optional ones included, with a value: a field added to
// CreatePaymentRequest or Payment stops this file from compiling until it has one here, and the
// tests below then check that the new field reaches each place that copies fields one by one.

const REQUEST: EveryField<CreatePaymentRequest> = { merchantId: "merchant-42", amount: 1050, currency: "EUR", reference: "order-1001", description: "Two coffees" };
const OTHER_REQUEST: EveryField<CreatePaymentRequest> = { merchantId: "merchant-7", amount: 1051, currency: "USD", reference: "order-1002", description: "Three coffees" };

/** In the API's field order (the order of the Payment interface). */
const PAYMENT: EveryField<Payment> = {
  id: "8d4c3f0e-5a1b-4c2d-9e8f-0a1b2c3d4e5f",
  merchantId: "merchant-42",
  amount: 1050,
  currency: "EUR",
  status: "created",
  reference: "order-1001",
  description: "Two coffees",
  createdAt: "2025-06-02T09:00:00.000Z",
};

describe("every field of a create request is in its idempotency fingerprint (requestHash)", () => {
  it.each(Object.keys(REQUEST) as (keyof CreatePaymentRequest)[])(
    "pitfall: a field left out of the fingerprint → the same key with another %s is replayed as the first payment instead of refused 422",
    (field) => {
      expect(OTHER_REQUEST[field]).not.toEqual(REQUEST[field]);
      expect(requestHash({ ...REQUEST, [field]: OTHER_REQUEST[field] })).not.toBe(requestHash(REQUEST));
    },
  );

  it("pitfall: a fingerprint that changes across a deploy → a retry of a request sent before it is refused 422; requests without a new optional field must hash as before", () => {
    expect(requestHash(REQUEST)).toBe("797747a8dbabda7ba88f1d785aed8668be1b0d59e9d9f92859d4b49e789dac31");
    expect(requestHash({ merchantId: "merchant-42", amount: 1050, currency: "EUR" })).toBe("ab79a8a18c348b0888984caab0939a8b64ad68a7e46843183313ef0a6e67acc1");
  });
});

describe("every field of a payment reaches each copy of it", () => {
  const shuffled = Object.fromEntries(Object.entries(PAYMENT).reverse()) as unknown as Payment;

  it("puts every field back in the API's order (inApiFieldOrder: a replay answers with the original's bytes)", () => {
    expect(JSON.stringify(inApiFieldOrder(shuffled))).toBe(JSON.stringify(PAYMENT));
  });

  it("keeps every field in its session: a GET served from DynamoDB answers the bytes of one served from PostgreSQL", () => {
    const now = Date.parse(PAYMENT.createdAt);
    expect(JSON.stringify(fromSessionItem(toSessionItem(PAYMENT, now), now))).toBe(JSON.stringify(PAYMENT));
  });
});
