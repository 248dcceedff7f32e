/**
 * Unique identifiers for the names of one scope: each raw name made an identifier (other characters
 * "_", a leading digit after `leading`, a reserved word with "_" after it), numbered "_2", "_3"… past
 * the names already taken.
 */
export function identifierNamer(reserved: ReadonlySet<string>, taken: Iterable<string> = [], leading = 'n_'): (raw: string) => string {
  const used = new Set([...taken, ...reserved]);
  return (raw) => {
    let base = raw.replace(/[^A-Za-z0-9_]/g, '_');
    if (!base || /^[0-9]/.test(base)) base = `${leading}${base}`;
    if (reserved.has(base)) base = `${base}_`;
    let name = base;
    for (let i = 2; used.has(name); i++) name = `${base}_${i}`;
    used.add(name);
    return name;
  };
}
