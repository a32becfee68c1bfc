/**
 * Which emoji each of Microsoft's Fluent Emoji SVGs draws, by its file name, and so its category:
 * the labels of the emoji classifier's second held-out artwork (scripts/fluent_emoji.ts). Pure:
 * file names and emoji-datasource's emoji.json entries in, matches out.
 *
 * Fluent names files by the CLDR short name in kebab case (grinning-face.svg); emoji.json names
 * an emoji by its Unicode name (GRINNING FACE, SMILING FACE WITH OPEN MOUTH for CLDR's grinning
 * face with big eyes) and its short names (smiley). A file matches, in this order:
 * 1. exactly: its name equals the normalised Unicode name or one of the short names;
 * 2. by words: its words appear, in order, among those of a name or short name (lion -> LION
 *    FACE, thumbs-up -> THUMBS UP SIGN, one-oclock -> CLOCK FACE ONE OCLOCK), and every emoji so
 *    matched is of one category. Only the category is needed, so several candidates of one
 *    category are a match; candidates of two are refused (ice: ICE CUBE or ICE SKATE). This rule
 *    can pick a neighbour of the same category (down-arrow -> UP DOWN ARROW) and, rarely, a wrong
 *    category (glasses, Fluent's eyeglasses -> CLINKING GLASSES): label noise of about one in a
 *    hundred of its matches.
 * Skin tones: a person drawn in five tones has FILE-default.svg plus FILE-light, -medium-light,
 * -medium, -medium-dark and -dark; the -default one is kept under FILE, the others dropped, as
 * loadEmoji keeps no tone variations. A name that ends like a tone but has no -default sibling
 * (vertical-traffic-light) is an emoji of its own.
 */

/** The fields of an emoji.json entry this reads. */
export interface EmojiNameEntry {
  name: string;
  short_names?: string[];
  category: string;
}

export interface FluentMatch {
  /** The SVG's file name, e.g. 'grinning-face.svg'. */
  file: string;
  /** The emoji.json name of the matched emoji (the first, for a match by words of one category). */
  name: string;
  category: string;
  /** The category's index in the categories given. */
  label: number;
  how: 'exact' | 'words';
}

export interface FluentMapping {
  /** In the files' order. */
  matched: FluentMatch[];
  /** Files naming no emoji of emoji.json, or candidates of several categories. */
  unmatched: string[];
  /** Files matched to an emoji outside the categories given (e.g. 'Component'). */
  outside: string[];
  /** Skin-tone variants dropped (the -default one of each is kept). */
  skinTones: number;
}

/** The suffixes of the five tones; longest first, so -medium-dark is not read as -dark. */
const SKIN_TONES = ['medium-light', 'medium-dark', 'light', 'medium', 'dark'];
const DEFAULT_TONE = '-default';
const FILE_NAME = /^[a-z0-9]+(-[a-z0-9]+)*\.svg$/;

/**
 * An emoji name in kebab case: accents dropped (Piñata -> pinata), apostrophes removed (MAN'S
 * SHOE -> mans-shoe, as Fluent writes it), every other run of non-alphanumerics one dash.
 */
export function kebabName(name: string): string {
  return name
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/['\u2019]/g, '')
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '');
}

/** Maps Fluent SVG file names (no folders) to emoji.json entries and their category indices. */
export function mapFluentFiles(
  files: readonly string[],
  entries: readonly EmojiNameEntry[],
  categories: readonly string[],
): FluentMapping {
  if (categories.length === 0) throw new Error('mapFluentFiles: no categories given');
  for (const file of files)
    if (typeof file !== 'string' || !FILE_NAME.test(file))
      throw new Error(
        `mapFluentFiles: '${String(file)}' is not a Fluent SVG file name (lowercase kebab case, .svg, no folders)`,
      );
  if (new Set(files).size !== files.length) throw new Error('mapFluentFiles: a file name is given twice');
  for (const [i, e] of entries.entries())
    if (
      typeof e?.name !== 'string' ||
      typeof e.category !== 'string' ||
      !(e.short_names == null || (Array.isArray(e.short_names) && e.short_names.every((s) => typeof s === 'string')))
    )
      throw new Error(
        `mapFluentFiles: emoji.json entry ${i} lacks a name or a category: ${JSON.stringify(e).slice(0, 200)}`,
      );

  const exact = new Map<string, EmojiNameEntry>();
  const keys: { words: string[]; entry: EmojiNameEntry }[] = [];
  for (const entry of entries)
    for (const key of [entry.name, ...(entry.short_names ?? [])]) {
      const kebab = kebabName(key);
      if (kebab === '') continue;
      if (!exact.has(kebab)) exact.set(kebab, entry);
      keys.push({ words: kebab.split('-'), entry });
    }

  const stems = files.map((f) => f.slice(0, -'.svg'.length));
  const toned = new Set(stems.filter((s) => s.endsWith(DEFAULT_TONE)).map((s) => s.slice(0, -DEFAULT_TONE.length)));
  const mapping: FluentMapping = { matched: [], unmatched: [], outside: [], skinTones: 0 };
  for (const [i, stem] of stems.entries()) {
    const file = files[i];
    if (SKIN_TONES.some((t) => stem.endsWith(`-${t}`) && toned.has(stem.slice(0, -t.length - 1)))) {
      mapping.skinTones++;
      continue;
    }
    const name = stem.endsWith(DEFAULT_TONE) ? stem.slice(0, -DEFAULT_TONE.length) : stem;
    let entry = exact.get(name);
    let how: FluentMatch['how'] = 'exact';
    if (entry == null) {
      const words = name.split('-');
      const candidates = keys.filter((k) => inOrder(words, k.words)).map((k) => k.entry);
      if (candidates.length > 0 && candidates.every((c) => c.category === candidates[0].category)) {
        entry = candidates[0];
        how = 'words';
      }
    }
    if (entry == null) mapping.unmatched.push(file);
    else if (!categories.includes(entry.category)) mapping.outside.push(file);
    else
      mapping.matched.push({
        file,
        name: entry.name,
        category: entry.category,
        label: categories.indexOf(entry.category),
        how,
      });
  }
  return mapping;
}

/** True when every word of `words` appears in `within`, in order (whole words, gaps allowed). */
function inOrder(words: readonly string[], within: readonly string[]): boolean {
  let i = 0;
  for (const w of within) if (w === words[i] && ++i === words.length) return true;
  return false;
}
