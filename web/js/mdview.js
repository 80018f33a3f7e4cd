// A reader for the Markdown the server writes for minutes (server/minutes.c):
// headings, bullet and numbered lists, block quotes, pipe tables, fenced
// blocks and paragraphs, with backslash escapes and hard line breaks. It
// builds DOM nodes and sets every piece of text with textContent, so nothing
// in the minutes (names, titles, motion texts typed by people) can ever
// become markup, a link or a script: what is not understood stays text. An
// ES module; main thread.
//
// API: renderMarkdown(text, {headingBase = 2}) -> DocumentFragment
//      ("#" becomes <h2> with the default base: the page has its own <h1>)

/** Inline text: backslash escapes resolved; "  " at a line end is a line break. */
function inline(parent, text) {
  const lines = text.split('\n');
  lines.forEach((line, i) => {
    const hard = /\s{2,}$/.test(line);
    parent.append(document.createTextNode(line.replace(/\s+$/, '').replace(/\\([!-/:-@[-`{-~])/g, '$1')));
    if (i < lines.length - 1) parent.append(hard ? document.createElement('br') : document.createTextNode(' '));
  });
  return parent;
}

function el(tag, cls) {
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  return e;
}

/** The cells of a pipe-table row; an escaped pipe stays in its cell. */
function cells(row) {
  const out = [];
  let cur = '';
  const body = row.trim().replace(/^\|/, '').replace(/\|$/, '');
  for (let i = 0; i < body.length; i++) {
    if (body[i] === '\\' && i + 1 < body.length) { cur += body[i] + body[i + 1]; i++; continue; }
    if (body[i] === '|') { out.push(cur.trim()); cur = ''; continue; }
    cur += body[i];
  }
  out.push(cur.trim());
  return out;
}

export function renderMarkdown(text, { headingBase = 2 } = {}) {
  const frag = document.createDocumentFragment();
  const lines = String(text).replace(/\r\n?/g, '\n').split('\n');
  let i = 0;
  const collect = (test, strip) => {
    const out = [];
    while (i < lines.length && test(lines[i])) out.push(strip(lines[i++]));
    return out;
  };
  while (i < lines.length) {
    const line = lines[i];
    let m;
    if (!line.trim()) { i++; continue; }
    if (line.startsWith('```')) {
      i++;
      const body = collect((l) => !l.startsWith('```'), (l) => l);
      i++;
      const pre = el('pre', 'ballot-text');
      pre.textContent = `${body.join('\n')}\n`;
      frag.append(pre);
    } else if ((m = /^(#{1,4}) (.*)$/.exec(line))) {
      frag.append(inline(el(`h${Math.min(6, headingBase + m[1].length - 1)}`), m[2]));
      i++;
    } else if (line.startsWith('> ') || line === '>') {
      const q = collect((l) => l.startsWith('>'), (l) => l.replace(/^> ?/, ''));
      frag.append(inline(el('blockquote', 'quote'), q.join('\n')));
    } else if (/^- /.test(line)) {
      const ul = el('ul');
      for (const item of collect((l) => /^- /.test(l), (l) => l.slice(2))) ul.append(inline(el('li'), item));
      frag.append(ul);
    } else if (/^\d+\. /.test(line)) {
      const ol = el('ol');
      for (const item of collect((l) => /^(\d+\. | {3})/.test(l), (l) => l)) {
        if (/^ {3}/.test(item) && ol.lastChild) inline(ol.lastChild, `\n${item.slice(3)}`);
        else ol.append(inline(el('li'), item.replace(/^\d+\. /, '')));
      }
      frag.append(ol);
    } else if (line.startsWith('|')) {
      const rows = collect((l) => l.startsWith('|'), (l) => l);
      const table = el('table', 'data-table data-table--plain');
      const [head, sep, ...body] = rows;
      const hasHead = sep && /^\|(\s*:?-+:?\s*\|)+$/.test(sep.trim());
      if (hasHead) {
        const tr = el('tr');
        for (const c of cells(head)) { const th = inline(el('th'), c); th.scope = 'col'; tr.append(th); }
        table.append(el('thead'));
        table.tHead.append(tr);
      }
      const tbody = el('tbody');
      for (const r of hasHead ? body : rows) {
        const tr = el('tr');
        for (const c of cells(r)) tr.append(inline(el('td'), c));
        tbody.append(tr);
      }
      table.append(tbody);
      frag.append(table);
    } else {
      const para = collect((l) => l.trim() && !/^(#{1,4} |> |- |\d+\. |\||```)/.test(l), (l) => l);
      if (!para.length) para.push(lines[i++]);   // never stall on a line no rule takes
      frag.append(inline(el('p'), para.join('\n')));
    }
  }
  return frag;
}
