-- What a small property-management firm might run instead of mingzhang: one PostgreSQL table of
-- payments, hash-chained. Each row's hash is SHA-256(previous row's hash || body), computed in a
-- trigger. The trigger locks the single head row, so appends are serialized and the chain is
-- total: no two rows can claim the same predecessor. Idempotency keys are unique, as in the ledger.
CREATE TABLE chain_head (
  id integer PRIMARY KEY CHECK (id = 1),
  seq bigint NOT NULL,
  hash bytea NOT NULL
);
INSERT INTO chain_head VALUES (1, -1, decode(repeat('00', 32), 'hex'));

CREATE TABLE payments (
  seq bigint PRIMARY KEY,
  idempotency_key text NOT NULL UNIQUE,
  recorded_at timestamptz NOT NULL DEFAULT now(),
  body text NOT NULL,          -- the payment as JSON, ~125 bytes, the fields of the ledger's payment
  prev_hash bytea NOT NULL,
  hash bytea NOT NULL
);

CREATE FUNCTION chain_payment() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  head chain_head%ROWTYPE;
BEGIN
  SELECT * INTO head FROM chain_head WHERE id = 1 FOR UPDATE;  -- one appender at a time
  NEW.seq := head.seq + 1;
  NEW.prev_hash := head.hash;
  NEW.hash := sha256(head.hash || convert_to(NEW.body, 'UTF8'));  -- built in since PostgreSQL 11
  UPDATE chain_head SET seq = NEW.seq, hash = NEW.hash WHERE id = 1;
  RETURN NEW;
END
$$;

CREATE TRIGGER chain_payment BEFORE INSERT ON payments FOR EACH ROW EXECUTE FUNCTION chain_payment();
