import '@testing-library/jest-dom/vitest';
import { cleanup } from '@testing-library/react';
import { afterEach } from 'vitest';

afterEach(() => cleanup());

// jsdom has no layout; the virtualiser's scroll calls have nothing to do here.
window.scrollTo = () => {};
