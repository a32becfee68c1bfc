// The Fluent Emoji file-name -> category mapping of the emoji classifier's training
// (scripts/fluent_emoji_names.ts), on a made-up emoji.json and a few file names: no package needed.
import { describe, expect, it } from 'vitest';
import { kebabName, mapFluentFiles, type EmojiNameEntry } from '../../scripts/fluent_emoji_names';

const CATEGORIES = ['Smileys & Emotion', 'People & Body', 'Food & Drink', 'Activities', 'Travel & Places'];
const ENTRIES: EmojiNameEntry[] = [
  { name: 'GRINNING FACE', short_names: ['grinning'], category: 'Smileys & Emotion' },
  { name: 'SMILING FACE WITH OPEN MOUTH', short_names: ['smiley'], category: 'Smileys & Emotion' },
  { name: "MAN'S SHOE", short_names: ['mans_shoe', 'shoe'], category: 'Objects' },
  { name: 'THUMBS UP SIGN', short_names: ['+1', 'thumbsup'], category: 'People & Body' },
  { name: 'CONSTRUCTION WORKER', short_names: ['construction_worker'], category: 'People & Body' },
  { name: 'PIÑATA', short_names: ['pinata'], category: 'Activities' },
  { name: 'FAMILY: MAN, WOMAN, BOY', short_names: ['man-woman-boy'], category: 'People & Body' },
  { name: 'ICE CUBE', short_names: ['ice_cube'], category: 'Food & Drink' },
  { name: 'ICE SKATE', short_names: ['ice_skate'], category: 'Activities' },
  { name: 'VERTICAL TRAFFIC LIGHT', short_names: ['vertical_traffic_light'], category: 'Travel & Places' },
  { name: 'EMOJI MODIFIER FITZPATRICK TYPE-1-2', short_names: ['skin-tone-2'], category: 'Component' },
];

describe('kebabName', () => {
  it('lowercases, drops accents and apostrophes, and joins the rest with single dashes', () => {
    expect(kebabName('GRINNING FACE')).toBe('grinning-face');
    expect(kebabName("MAN'S SHOE")).toBe('mans-shoe');
    expect(kebabName('RESCUE WORKER\u2019S HELMET')).toBe('rescue-workers-helmet');
    expect(kebabName('FAMILY: MAN, WOMAN, BOY')).toBe('family-man-woman-boy');
    expect(kebabName('Antigua & Barbuda Flag')).toBe('antigua-barbuda-flag');
    expect(kebabName('PIÑATA')).toBe('pinata');
    expect(kebabName('keycap_star')).toBe('keycap-star');
  });
});

describe('mapFluentFiles', () => {
  const files = [
    'grinning-face.svg',
    'mans-shoe.svg',
    'smiley.svg',
    'thumbs-up.svg',
    'construction-worker-default.svg',
    'construction-worker-light.svg',
    'construction-worker-medium-light.svg',
    'construction-worker-medium.svg',
    'construction-worker-medium-dark.svg',
    'construction-worker-dark.svg',
    'pinata.svg',
    'family-man-woman-boy.svg',
    'ice.svg',
    'vertical-traffic-light.svg',
    'skin-tone-2.svg',
    'not-an-emoji.svg',
  ];
  const mapping = mapFluentFiles(files, ENTRIES, CATEGORIES);

  it('matches names exactly, by Unicode name or short name, with the category index', () => {
    const byFile = Object.fromEntries(mapping.matched.map((m) => [m.file, m]));
    expect(byFile['grinning-face.svg']).toEqual({
      file: 'grinning-face.svg',
      name: 'GRINNING FACE',
      category: 'Smileys & Emotion',
      label: 0,
      how: 'exact',
    });
    expect(byFile['smiley.svg']).toMatchObject({ name: 'SMILING FACE WITH OPEN MOUTH', how: 'exact' });
    expect(byFile['pinata.svg']).toMatchObject({ name: 'PIÑATA', label: 3 });
    expect(byFile['family-man-woman-boy.svg']).toMatchObject({ name: 'FAMILY: MAN, WOMAN, BOY', label: 1 });
  });

  it('matches by words in order only when every candidate has one category', () => {
    const thumbs = mapping.matched.find((m) => m.file === 'thumbs-up.svg');
    expect(thumbs).toMatchObject({ name: 'THUMBS UP SIGN', category: 'People & Body', how: 'words' });
    // ICE CUBE is Food & Drink, ICE SKATE Activities: refused.
    expect(mapping.unmatched).toEqual(['ice.svg', 'not-an-emoji.svg']);
  });

  it('keeps the -default skin tone under its plain name and drops the five tones', () => {
    const workers = mapping.matched.filter((m) => m.file.startsWith('construction-worker'));
    expect(workers).toEqual([
      {
        file: 'construction-worker-default.svg',
        name: 'CONSTRUCTION WORKER',
        category: 'People & Body',
        label: 1,
        how: 'exact',
      },
    ]);
    expect(mapping.skinTones).toBe(5);
    // A name ending like a tone, with no -default sibling, is an emoji of its own.
    expect(mapping.matched.map((m) => m.file)).toContain('vertical-traffic-light.svg');
  });

  it('sets aside matches outside the categories given', () => {
    expect(mapping.outside).toEqual(['mans-shoe.svg', 'skin-tone-2.svg']);
    expect(mapping.matched.map((m) => m.file)).toEqual([
      'grinning-face.svg',
      'smiley.svg',
      'thumbs-up.svg',
      'construction-worker-default.svg',
      'pinata.svg',
      'family-man-woman-boy.svg',
      'vertical-traffic-light.svg',
    ]);
  });

  it('refuses file names that are not plain kebab-case SVGs, repeated files, bad entries and no categories', () => {
    for (const bad of [
      '../grinning-face.svg',
      'icons/flat/grinning-face.svg',
      'Grinning-Face.svg',
      'grinning-face.png',
      'a--b.svg',
      '',
    ])
      expect(() => mapFluentFiles([bad], ENTRIES, CATEGORIES), bad).toThrow(/not a Fluent SVG file name/);
    expect(() => mapFluentFiles(['smiley.svg', 'smiley.svg'], ENTRIES, CATEGORIES)).toThrow(/given twice/);
    expect(() => mapFluentFiles(['smiley.svg'], [{ name: 'SMILEY' } as EmojiNameEntry], CATEGORIES)).toThrow(
      /entry 0 lacks a name or a category/,
    );
    expect(() =>
      mapFluentFiles(['smiley.svg'], [{ name: 'X', category: 'Symbols', short_names: 'x' } as never], CATEGORIES),
    ).toThrow(/entry 0/);
    expect(() => mapFluentFiles(['smiley.svg'], ENTRIES, [])).toThrow(/no categories/);
  });
});
