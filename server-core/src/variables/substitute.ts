/** References resolved inside values and inside names (`#{Conn#{Env}}`) stop after this many passes (cycles). */
const MAX_PASSES = 25;
const REFERENCE = /#\{([^{}#]+)\}/g;
const ESCAPED = '\u0000';

/**
 * Replaces `#{Name}` with the variable's value, again and again, so values that refer to
 * other variables and references built from references resolve (innermost first). An
 * unknown name stays as written; `##{Name}` is the literal text `#{Name}`.
 */
export function substitute(text: string, lookup: (name: string) => string | undefined): string {
  let out = text.replaceAll('##{', ESCAPED);
  for (let pass = 0; pass < MAX_PASSES; pass++) {
    let changed = false;
    out = out.replace(REFERENCE, (whole, name: string) => {
      const v = lookup(name.trim());
      if (v === undefined) return whole;
      changed = true;
      return v.replaceAll('##{', ESCAPED);
    });
    if (!changed) break;
  }
  return out.replaceAll(ESCAPED, '#{');
}
