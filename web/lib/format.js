// Sizes and progress in the units the rest of the pack uses: decimal (1 GB = 10⁹ bytes), as the
// hub and the node's messages state them.

const UNITS = [["GB", 1e9], ["MB", 1e6], ["KB", 1e3]];

export function formatBytes(bytes) {
  if (!Number.isFinite(bytes) || bytes < 0) return "?";
  for (const [unit, size] of UNITS) {
    if (bytes >= size) {
      const value = bytes / size;
      return `${value < 10 ? value.toFixed(2) : value < 100 ? value.toFixed(1) : Math.round(value)} ${unit}`;
    }
  }
  return `${bytes} B`;
}

// A manifest size is approximate unless the hub's exact size is known.
export function formatFileSize(file) {
  if (file.size === null || file.size === undefined) return "size unknown";
  return (file.size_exact ? "" : "≈") + formatBytes(file.size);
}

// Whole percent, never 100 before the last byte: a bar at 100 % must mean done.
export function percent(done, total) {
  if (!total || total <= 0 || !Number.isFinite(done)) return null;
  if (done >= total) return 100;
  return Math.min(99, Math.max(0, Math.floor((done / total) * 100)));
}

export function progressText(done, total) {
  const p = percent(done, total);
  if (p === null) return `${formatBytes(done)} so far`;
  return `${formatBytes(done)} of ${formatBytes(total)} · ${p} %`;
}
