 hOÝYÎß,+ocwT‚hMùúýˆ„e†'å¬¿ªå‰—ŠÇ 4"C1*committee-C12P1Š)
P1Repair the gate °ê(2
2026-03-01