/** One regular file of a tar archive. */
export interface TarEntry {
  name: string;
  data: Buffer;
}

const BLOCK = 512;

function field(header: Buffer, start: number, length: number): string {
  const raw = header.subarray(start, start + length);
  const end = raw.indexOf(0);
  return raw.toString('utf8', 0, end < 0 ? length : end);
}

/**
 * Lists the regular files of an (uncompressed) ustar/GNU tar archive. Only what dataset archives need:
 * names (with the ustar prefix and GNU long names), sizes and contents; links and devices are skipped.
 */
export function readTar(archive: Buffer, source: string): TarEntry[] {
  const entries: TarEntry[] = [];
  let offset = 0;
  let longName: string | undefined;
  while (offset + BLOCK <= archive.length) {
    const header = archive.subarray(offset, offset + BLOCK);
    if (header.every((b) => b === 0)) break;
    const sizeField = field(header, 124, 12).trim();
    const size = parseInt(sizeField || '0', 8);
    if (!Number.isFinite(size) || size < 0) throw new Error(`${source}: corrupt tar header at byte ${offset}`);
    const type = String.fromCharCode(header[156] || 0x30);
    const dataStart = offset + BLOCK;
    if (dataStart + size > archive.length) throw new Error(`${source}: tar entry at byte ${offset} is truncated`);
    const data = archive.subarray(dataStart, dataStart + size);
    const prefix = field(header, 345, 155);
    const name = longName ?? (prefix ? `${prefix}/${field(header, 0, 100)}` : field(header, 0, 100));
    longName = undefined;
    if (type === 'L') longName = data.toString('utf8').replace(/\0.*$/s, '');
    else if (type === '0' || type === '\0' || type === '7') entries.push({ name, data });
    offset = dataStart + Math.ceil(size / BLOCK) * BLOCK;
  }
  return entries;
}
