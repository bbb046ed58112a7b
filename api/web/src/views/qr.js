// A QR code as SVG, built element by element (no markup parsed, nothing fetched): one path of
// the dark modules on white, with the quiet zone the standard asks for. Used by the printed
// notice (views/notice.js) and the invitation sheet (views/firm_tools.js).
import qrcode from 'qrcode-generator';

const QR_ERROR_CORRECTION = 'M'; // 15% of the code may be soiled on a notice board and still read
const QR_QUIET_MODULES = 4; // the white margin a reader needs around the code

// `sizeMm` sets its printed width; without it the SVG takes the width its CSS gives it.
export function qrSvg(text, sizeMm = null) {
  const qr = qrcode(0, QR_ERROR_CORRECTION);
  qr.addData(text);
  qr.make();
  const n = qr.getModuleCount();
  const side = n + 2 * QR_QUIET_MODULES;
  let d = '';
  for (let r = 0; r < n; r += 1) {
    for (let c = 0; c < n; c += 1) if (qr.isDark(r, c)) d += `M${c + QR_QUIET_MODULES} ${r + QR_QUIET_MODULES}h1v1h-1z`;
  }
  const ns = 'http://www.w3.org/2000/svg';
  const svg = document.createElementNS(ns, 'svg');
  svg.setAttribute('viewBox', `0 0 ${side} ${side}`);
  if (sizeMm !== null) {
    svg.setAttribute('width', `${sizeMm}mm`);
    svg.setAttribute('height', `${sizeMm}mm`);
  }
  svg.setAttribute('shape-rendering', 'crispEdges');
  svg.setAttribute('class', 'qr');
  svg.setAttribute('role', 'img');
  svg.setAttribute('aria-label', text);
  svg.dataset.text = text;
  const background = document.createElementNS(ns, 'rect');
  for (const [k, v] of Object.entries({ width: side, height: side, fill: '#fff' })) background.setAttribute(k, String(v));
  const modules = document.createElementNS(ns, 'path');
  modules.setAttribute('d', d);
  modules.setAttribute('fill', '#000');
  svg.append(background, modules);
  return svg;
}
