-- pgbench: 1,000 payments in one transaction (one INSERT ... SELECT; the trigger chains each row).
\set month random(1, 12)
INSERT INTO payments (idempotency_key, body)
SELECT 'pg-' || gen_random_uuid(),
       '{"unit_id":"u-' || lpad(u::text, 5, '0') || '","amount":20000,"period":"2026-' ||
       lpad(:month::text, 2, '0') || '","months":1,"paid_on":"2026-11-23","method":"wechat","receipt_ref":"r-' ||
       :client_id || '"}'
FROM generate_series(0, 999) AS u;
