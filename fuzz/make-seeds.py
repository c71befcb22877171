#!/usr/bin/env python3
"""Writes fuzz/seeds/<target>/* from tests/fixtures/vectors/spectrocoin-vectors.json
and the documented answer shapes (docs: SpectroCoin API 1.4, 1.5, 2). Re-run after
the vectors change; the seeds are committed so `make fuzz-smoke` needs no Python."""
import json, os, shutil, urllib.parse

HERE = os.path.dirname(os.path.abspath(__file__))
V = json.load(open(os.path.join(HERE, "..", "tests", "fixtures", "vectors", "spectrocoin-vectors.json")))
SEEDS = os.path.join(HERE, "seeds")
SIGNED = ["merchantId", "apiId", "orderId", "payCurrency", "payAmount", "receiveCurrency",
          "receiveAmount", "receivedAmount", "description", "orderRequestId", "status"]


def enc(pairs):
    return "&".join(urllib.parse.quote_plus(k, safe="") + "=" + urllib.parse.quote_plus(v, safe="")
                    for k, v in pairs)


def write(target, name, data):
    d = os.path.join(SEEDS, target)
    os.makedirs(d, exist_ok=True)
    if isinstance(data, str):
        data = data.encode()
    open(os.path.join(d, name), "wb").write(data)


shutil.rmtree(SEEDS, ignore_errors=True)
cb = V["callbacks"][0]
v1 = [(n, cb["fields"][n]) for n in SIGNED] + [("sign", cb["sign"])]
uuid_extra = [("userId", "1a2b3c4d-0000-4000-8000-1234567890ab"),
              ("merchantApiId", "9f1c2d3e-1111-4222-8333-444455556666")]

# callback_verify
write("callback_verify", "v1", enc(v1))
write("callback_verify", "v1-uuids", enc(v1 + uuid_extra))
write("callback_verify", "v1-reencoded", enc(v1).replace("Payment+for", "Payment%20for")
      .replace("payAmount=20.0", "payAmount=20.000"))
write("callback_verify", "v1-reordered", enc(list(reversed(v1))))
write("callback_verify", "v1-status-paid", enc([(k, "3" if k == "status" else v) for k, v in v1]))
write("callback_verify", "v1-dup-status", enc(v1) + "&status=3")
write("callback_verify", "v1-no-sign", enc(v1[:-1]))
write("callback_verify", "v1-rounding", enc([(k, "20.000000001" if k == "payAmount" else v) for k, v in v1]))

# amount_format
for i, (inp, _) in enumerate(V["amount_format"]):
    write("amount_format", f"ok-{i}", inp)
for i, inp in enumerate(V["order_amount_rejected"]):
    write("amount_format", f"rejected-{i}", inp)
for i, inp in enumerate(["0.123456785", "9.999999999", "0.999999995", "007.50", "12.30|12.3",
                         "1" * 40, "0.00000001", "99999999999.99"]):
    write("amount_format", f"extra-{i}", inp)

# form_roundtrip
write("form_roundtrip", "v1", enc(v1))
for i, r in enumerate(V["requests"]):
    write("form_roundtrip", f"request-{i}", r["signed_string"])
write("form_roundtrip", "pairs-nul", "description\0Tom & Jerry's <b>caf\u00e9</b> 100%\0sign\0ab+/==")
write("form_roundtrip", "odd", "&a=1&&b&c=%2a%2A+x")

# create_order_answer: first byte 0 ⇒ HTTP 200, 4 ⇒ 203, 6 ⇒ 500
legacy_ok = {"orderRequestId": 1234567, "orderId": "7-1", "payCurrency": "BTC", "payAmount": 0.00024699,
             "receiveCurrency": "EUR", "receiveAmount": 12.3, "depositAddress": "bc1qexample",
             "redirectUrl": "https://spectrocoin.com/en/order/view/1234567-abcd.html",
             "validUntil": 1795678200000}
pre_order = {"orderId": "7-1", "payCurrency": "BTC", "payAmount": "0.0", "receiveCurrency": "EUR",
             "receiveAmount": "12.30", "redirectUrl": "https://spectrocoin.com/en/pre-order/x", "validUntil": "1795678200000"}
current = {"preOrderId": "0b6f0c7e-2a5b-4c7d-9e1f-123456789abc", "orderId": "7-1",
           "validUntil": "2026-11-26T09:30:00.5+02:00", "payCurrencyCode": "BTC", "payNetworkCode": "BTC",
           "payAmount": "0.000246", "depositAddress": None, "memo": None, "receiveCurrencyCode": "EUR",
           "receiveAmount": "12.30", "redirectUrl": "https://spectrocoin.com/x"}
write("create_order_answer", "legacy-200", b"\x00" + json.dumps(legacy_ok).encode())
write("create_order_answer", "legacy-preorder", b"\x00" + json.dumps(pre_order).encode())
write("create_order_answer", "current-200", b"\x00" + json.dumps(current).encode())
write("create_order_answer", "legacy-203", b"\x04" + json.dumps(
    [{"code": 1, "message": "apiId is required"}, {"code": "2", "message": "Bad sign"}]).encode())
write("create_order_answer", "legacy-203-object", b"\x04" + b'{"code":5,"message":"merchant order id already exists"}')
write("create_order_answer", "html-500", b"\x06<html><body>Internal Server Error</body></html>")
write("create_order_answer", "iso-offset", b"\x002026-11-26T09:30:00.5+02:00")
write("create_order_answer", "truncated", b"\x00" + json.dumps(legacy_ok).encode()[:60])

# oauth_token
write("oauth_token", "ok", '{"access_token":"abc.def","expires_in":3600,"token_type":"bearer"}')
write("oauth_token", "string-expiry", '{"access_token":"eyJhbGciOi.x-y_z","expires_in":"60"}')
write("oauth_token", "no-expiry", '{"access_token":"t"}')
write("oauth_token", "bad", '{"access_token":"a b","expires_in":0}')

# json_callback
write("json_callback", "ok", '{"id":"0b6f0c7e-2a5b-4c7d-9e1f-123456789abc","merchantApiId":"9f1c2d3e-1111-4222-8333-444455556666"}')
write("json_callback", "extra", '{"id":"o-1","merchantApiId":"9F1C2D3E-1111-4222-8333-444455556666","x":[1,{"y":null}]}')
write("json_callback", "dup", '{"id":"a","id":"b","merchantApiId":"9f1c2d3e-1111-4222-8333-444455556666"}')

# fetched_order
write("fetched_order", "paid", '{"id":"o-1","orderId":"7-1","status":"PAID","merchantPreOrderId":"p-1",'
      '"receiveAmount":"12.30","receiveCurrencyCode":"EUR","payAmount":"0.000246","payCurrencyCode":"BTC"}')
write("fetched_order", "numeric", '{"id":"o-1","orderId":"7-1","status":5,"receiveAmount":1,"receiveCurrency":"EUR"}')
write("fetched_order", "error-422", '{"defaultMessage":"orderId already exists","errorCode":"ORDER_EXISTS","spanId":"s","traceId":"t1"}')
write("fetched_order", "unknown-status", '{"id":"o-1","orderId":"7-1","status":"WHATEVER","receiveAmount":"1","receiveCurrencyCode":"EUR"}')
# pem_keys
write("pem_keys", "spectrocoin-public", V["spectrocoin_callback_public_key_pem"])
write("pem_keys", "merchant-private", V["merchant_test_private_key_pem"])
write("pem_keys", "merchant-public-crlf", V["merchant_test_public_key_pem"].replace("\n", "\r\n  "))
write("pem_keys", "one-line", V["merchant_test_public_key_pem"].replace("\n", " "))
write("pem_keys", "encrypted", "-----BEGIN RSA PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\nDEK-Info: AES-128-CBC,00\n\nAAAA\n-----END RSA PRIVATE KEY-----\n")
print("seeds written to", SEEDS)
