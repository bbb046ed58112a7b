// A few helpers to build the page from data. Text is always set as text, never parsed as HTML,
// so nothing the server or a user wrote can become markup.

// h('td', { class: 'money', dataset: { fen: '100' } }, '¥1.00')
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === undefined || value === null || value === false) continue;
    if (name === 'dataset') Object.assign(el.dataset, value);
    else if (name.startsWith('on')) el.addEventListener(name.slice(2), value);
    else if (name in el && typeof value !== 'string') el[name] = value;
    else el.setAttribute(name, value === true ? '' : value);
  }
  el.append(...children.flat().filter((c) => c !== undefined && c !== null && c !== false));
  return el;
}

// A table with a header row; each row is an array of cells (strings or elements) or a <tr>.
// Every cell carries its column's name (data-label): on a phone the stylesheet shows each row as
// a card of "name: value" lines instead of a table wider than the screen.
export function table(headers, rows, attrs = {}) {
  const body = rows.map((r) => (r instanceof HTMLElement ? r : h('tr', {}, r.map((c) => (c instanceof HTMLElement ? c : h('td', {}, c))))));
  for (const tr of body) {
    [...tr.children].forEach((cell, i) => {
      const label = headers[i];
      if (typeof label === 'string' && label.trim() !== '' && cell.dataset.label === undefined) cell.dataset.label = label;
    });
  }
  return h('table', { ...attrs, class: ['cards-on-phone', attrs.class].filter(Boolean).join(' ') }, h('thead', {}, h('tr', {}, headers.map((x) => h('th', {}, x)))), h('tbody', {}, body));
}

// A section whose body opens on a tap: long lists stay one line tall until asked for.
export function foldable(title, summaryText, ...children) {
  return h('section', {}, h('details', {}, h('summary', {}, h('h2', {}, title), summaryText ? h('span', { class: 'note' }, summaryText) : null), ...children));
}

export function section(title, ...children) {
  return h('section', {}, h('h2', {}, title), ...children);
}

export function replace(el, ...children) {
  el.replaceChildren(...children.flat().filter((c) => c !== undefined && c !== null && c !== false));
}
