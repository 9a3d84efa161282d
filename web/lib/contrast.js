// WCAG 2.x contrast ratio of two colours (#rgb or #rrggbb), for the sidebar's colour check.

function channel(c) {
  const v = c / 255;
  return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4;
}

export function parseHex(colour) {
  let hex = String(colour).trim().replace(/^#/, "");
  if (hex.length === 3) hex = [...hex].map((x) => x + x).join("");
  if (!/^[0-9a-f]{6}$/i.test(hex)) throw new Error(`not a #rgb or #rrggbb colour: ${colour}`);
  return [0, 2, 4].map((i) => parseInt(hex.slice(i, i + 2), 16));
}

export function luminance(colour) {
  const [r, g, b] = parseHex(colour).map(channel);
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}

export function contrastRatio(a, b) {
  const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x);
  return (hi + 0.05) / (lo + 0.05);
}
