-- Rows whose hash or predecessor does not follow the chain (must be 0), and the row count.
SELECT count(*) FILTER (WHERE hash <> sha256(prev_hash || convert_to(body, 'UTF8'))
                           OR prev_hash <> coalesce(prev, decode(repeat('00', 32), 'hex'))
                           OR seq <> coalesce(prev_seq + 1, 0)) AS broken,
       count(*) AS rows
FROM (SELECT seq, body, prev_hash, hash, lag(hash) OVER w AS prev, lag(seq) OVER w AS prev_seq
      FROM payments WINDOW w AS (ORDER BY seq)) AS t;
