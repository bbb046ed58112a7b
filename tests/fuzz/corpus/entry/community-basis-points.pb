 7VĞRUUÂöO‹I4U
Íåh?í&jÅ0rË–ŠÇ 4"C1*	admin2comm-C1Z!

Garden OneF1ú"è*2026-01