import '@testing-library/jest-dom/vitest';
import { cleanup, configure } from '@testing-library/react';
import { afterEach } from 'vitest';

// Lazily loaded routes and dialogs are compiled on first import in tests: allow for it.
configure({ asyncUtilTimeout: 5_000 });

afterEach(() => cleanup());

// jsdom has no layout; the virtualiser's scroll calls have nothing to do here.
window.scrollTo = () => {};
