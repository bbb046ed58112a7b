-- pgbench: one payment per transaction (autocommit, synchronous_commit on: durable when answered).
\set unit random(0, 19999)
\set month random(1, 12)
INSERT INTO payments (idempotency_key, body)
VALUES ('pg-' || gen_random_uuid(),
        '{"unit_id":"u-' || lpad(:unit::text, 5, '0') || '","amount":20000,"period":"2026-' ||
        lpad(:month::text, 2, '0') || '","months":1,"paid_on":"2026-11-23","method":"wechat","receipt_ref":"r-' ||
        :client_id || '"}');
