import { randomInt, randomUUID } from 'node:crypto';

// Word lists in the spirit of Neon's ids ("hidden-cell-763301", "br-blue-tooth-671580").
const ADJECTIVES = [
  'aged',
  'blue',
  'bold',
  'calm',
  'cold',
  'damp',
  'dry',
  'fancy',
  'green',
  'hidden',
  'icy',
  'late',
  'lucky',
  'misty',
  'morning',
  'noisy',
  'odd',
  'old',
  'plain',
  'proud',
  'quiet',
  'red',
  'round',
  'shy',
  'silent',
  'small',
  'snowy',
  'sparkling',
  'still',
  'summer',
  'sweet',
  'tiny',
  'twilight',
  'wandering',
  'wild',
  'winter',
  'young',
];
const NOUNS = [
  'band',
  'base',
  'bird',
  'bonus',
  'brook',
  'bush',
  'cake',
  'cell',
  'cherry',
  'cloud',
  'credit',
  'dawn',
  'dew',
  'dream',
  'field',
  'fire',
  'flower',
  'fog',
  'forest',
  'frog',
  'glade',
  'grass',
  'haze',
  'hill',
  'king',
  'lake',
  'leaf',
  'math',
  'meadow',
  'moon',
  'night',
  'paper',
  'pine',
  'poetry',
  'rain',
  'river',
  'sea',
  'shadow',
  'snow',
  'sound',
  'star',
  'sun',
  'surf',
  'thunder',
  'tooth',
  'tree',
  'voice',
  'water',
  'wave',
  'wind',
];
const LOWER_ALNUM = 'abcdefghijklmnopqrstuvwxyz0123456789';

const pick = (list: readonly string[]) => list[randomInt(list.length)]!;

function randomString(alphabet: string, length: number): string {
  let out = '';
  for (let i = 0; i < length; i++) out += alphabet[randomInt(alphabet.length)];
  return out;
}

const words = () => `${pick(ADJECTIVES)}-${pick(NOUNS)}`;

/** `word-word-12345678` */
export const projectId = () => `${words()}-${String(randomInt(10_000_000, 100_000_000))}`;
/** `br-word-word-xxxxxxxx` */
export const branchId = () => `br-${words()}-${randomString(LOWER_ALNUM, 8)}`;
/** `ep-word-word-xxxxxxxx` */
export const endpointId = () => `ep-${words()}-${randomString(LOWER_ALNUM, 8)}`;
export const operationId = () => randomUUID();
export const requestId = () => randomUUID();

const PASSWORD_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
/** 16 characters from a CSPRNG (Neon's own passwords are 12+ alphanumerics). */
export const password = () => randomString(PASSWORD_ALPHABET, 16);
