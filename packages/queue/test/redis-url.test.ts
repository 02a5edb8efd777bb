import { describe, expect, it } from 'vitest';
import { parseRedisUrl, scrub } from '../src/redis-target.js';

describe('parseRedisUrl', () => {
  it('reads host, port, user, password and database, and labels the target without the password', () => {
    const t = parseRedisUrl('redis://alice:s3cret@10.0.0.5:6390/2');
    expect(t.options).toMatchObject({ host: '10.0.0.5', port: 6390, username: 'alice', password: 's3cret', db: 2 });
    expect(t.options.tls).toBeUndefined();
    expect(t.label).toBe('10.0.0.5:6390');
    expect(t.safeUrl).toBe('redis://alice@10.0.0.5:6390/2');
    expect(scrub('WRONGPASS for s3cret', t)).toBe('WRONGPASS for ***');
  });

  it('defaults the port to 6379 and turns rediss:// into TLS', () => {
    const t = parseRedisUrl('rediss://:pw@redis.lab');
    expect(t.options).toMatchObject({ host: 'redis.lab', port: 6379, password: 'pw', tls: { servername: 'redis.lab' } });
    expect(t.safeUrl).toBe('rediss://redis.lab');
    expect(t.label).toBe('redis.lab:6379');
  });

  it('refuses other schemes and bad databases in one line, never showing the password', () => {
    expect(() => parseRedisUrl('http://:pw@host:1')).toThrow(/^expected a redis:\/\/ or rediss:\/\/ URL, got 'http:\/\/:\*\*\*@host:1\/?'$/);
    expect(() => parseRedisUrl('redis://host:1/x')).toThrow(/expected a database number/);
    expect(() => parseRedisUrl('not a url :pw@')).toThrow(/^expected a Redis URL like redis:\/\/HOST:PORT/);
  });
});
