import { describe, expect, it } from 'vitest';
import { connectionUrl, poolerHost, splitHost } from '@/lib/connection-strings';

describe('connection strings', () => {
  it('percent-encodes URL parts (quotes included) so any name or password survives', () => {
    const url = connectionUrl({
      host: 'ep-x-1.neon.tech',
      user: "My O'User",
      password: "p@ss:w/rd?#'",
      database: 'my db',
    });
    expect(url).toBe(
      'postgresql://My%20O%27User:p%40ss%3Aw%2Frd%3F%23%27@ep-x-1.neon.tech/my%20db?sslmode=require&channel_binding=require',
    );
    const parsed = new URL(url);
    expect(decodeURIComponent(parsed.username)).toBe("My O'User");
    expect(decodeURIComponent(parsed.password)).toBe("p@ss:w/rd?#'");
    expect(decodeURIComponent(parsed.pathname.slice(1))).toBe('my db');
  });

  it('keeps a host with a port as it is in a URL, and splits it for PGHOST/PGPORT', () => {
    expect(connectionUrl({ host: '127.0.0.1:5433', user: 'u', password: 'p', database: 'd' })).toBe(
      'postgresql://u:p@127.0.0.1:5433/d?sslmode=require&channel_binding=require',
    );
    expect(splitHost('127.0.0.1:5433')).toEqual({ hostname: '127.0.0.1', port: '5433' });
    expect(splitHost('ep-x-1.neon.tech')).toEqual({ hostname: 'ep-x-1.neon.tech', port: '5432' });
  });

  it('names Neon’s pooler by the endpoint id; a local host without the id has none', () => {
    expect(
      poolerHost('ep-cool-darkness-123456.us-east-2.aws.neon.tech', 'ep-cool-darkness-123456'),
    ).toBe('ep-cool-darkness-123456-pooler.us-east-2.aws.neon.tech');
    expect(poolerHost('127.0.0.1:5433', 'ep-cool-darkness-123456')).toBe('127.0.0.1:5433');
  });
});
