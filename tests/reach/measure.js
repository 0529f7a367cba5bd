// Measures the rendered page: text sizes, line heights, contrast, touch targets (tests/reach).
() => {
  const parse = (c) => { const m = c.match(/rgba?\(([^)]+)\)/); if (!m) return null;
    const p = m[1].split(',').map(Number); return {r: p[0], g: p[1], b: p[2], a: p.length > 3 ? p[3] : 1}; };
  const lum = (c) => { const f = (v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); };
    return 0.2126 * f(c.r) + 0.7152 * f(c.g) + 0.0722 * f(c.b); };
  const visible = (el) => { const r = el.getBoundingClientRect(); const s = getComputedStyle(el);
    return r.width > 1 && r.height > 1 && s.visibility !== 'hidden' && s.display !== 'none' && s.opacity !== '0'
      && !el.closest('[hidden]') && !el.closest('.visually-hidden'); };
  const background = (el) => { for (let e = el; e; e = e.parentElement) { const s = getComputedStyle(e);
      if (e.tagName === 'VIDEO' || s.backgroundImage !== 'none') return null;
      const c = parse(s.backgroundColor); if (c && c.a > 0.9) return c; } return {r: 255, g: 255, b: 255, a: 1}; };
  const texts = [];
  for (const el of document.body.querySelectorAll('*')) {
    if (['SCRIPT', 'STYLE', 'svg', 'VIDEO', 'OPTION'].includes(el.tagName) || !visible(el)) continue;
    const own = [...el.childNodes].filter((n) => n.nodeType === 3 && n.textContent.trim()).map((n) => n.textContent.trim()).join(' ');
    const isField = ['INPUT', 'TEXTAREA', 'SELECT', 'BUTTON'].includes(el.tagName);
    if (!own && !isField) continue;
    const s = getComputedStyle(el); const size = parseFloat(s.fontSize);
    const lh = s.lineHeight === 'normal' ? 1.2 * size : parseFloat(s.lineHeight);
    const fg = parse(s.color); const bg = background(el);
    const contrast = bg && fg ? (Math.max(lum(fg), lum(bg)) + 0.05) / (Math.min(lum(fg), lum(bg)) + 0.05) : null;
    texts.push({tag: el.tagName, cls: el.className && String(el.className), text: (own || el.value || '').slice(0, 30),
                size, lineHeight: lh / size, contrast: contrast && Math.round(contrast * 100) / 100, display: s.display});
  }
  const targets = [];
  for (const el of document.body.querySelectorAll('a[href], button, input:not([type=hidden]), select, textarea, summary, [role=button]')) {
    if (!visible(el)) continue;
    const r = el.getBoundingClientRect();
    targets.push({tag: el.tagName, cls: String(el.className || ''), text: (el.textContent || el.value || el.name || '').trim().slice(0, 30),
                  w: Math.round(r.width * 10) / 10, h: Math.round(r.height * 10) / 10});
  }
  return {texts, targets, width: document.documentElement.scrollWidth};
}
