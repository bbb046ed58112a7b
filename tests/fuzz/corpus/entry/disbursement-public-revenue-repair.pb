 »pG€á\Ý> ä†×žªX-r]È”ò`1Y50<&Þ§GŽ—ŠÇ 4"C1*F12gatero œ"Gate Co*new gate2
2026-03-05:@0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdefBR-P1