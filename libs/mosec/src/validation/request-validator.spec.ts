import 'reflect-metadata';
import { Type } from 'class-transformer';
import { IsInt, IsString, Min, ValidateNested } from 'class-validator';
import { Packr } from 'msgpackr';
import { codecFlagsFor } from '../http/content-types';
import { createRequestValidator } from './request-validator';

class Item {
  @IsString()
  name: string;

  @IsInt()
  @Min(1)
  count: number;
}

class Basket {
  @IsString()
  owner: string;

  @ValidateNested({ each: true })
  @Type(() => Item)
  items: Item[];
}

const msgpack = new Packr({ useRecords: false });
const JSON_FLAGS = codecFlagsFor('application/json', undefined);
const MSGPACK_FLAGS = codecFlagsFor('application/msgpack', undefined);
const json = (value: unknown) => Buffer.from(JSON.stringify(value));

describe('request DTO validation', () => {
  const check = createRequestValidator(Basket, false);

  it('passes a valid body on, re-encoded, without the properties the DTO does not declare', async () => {
    const checked = await check(json({ owner: 'ada', extra: 1, items: [{ name: 'tea', count: 2, colour: 'green' }] }), JSON_FLAGS);
    expect('payload' in checked && JSON.parse(checked.payload.toString())).toEqual({ owner: 'ada', items: [{ name: 'tea', count: 2 }] });
  });

  it('lists every failing property by its path, nested arrays included', async () => {
    const checked = await check(json({ owner: 7, items: [{ name: 'tea', count: 1 }, { name: 3, count: 0 }] }), JSON_FLAGS);
    expect(checked).toMatchObject({ status: 422, type: 'application/json' });
    const body = JSON.parse((checked as { body: string }).body);
    expect(body.message).toBe('request validation error');
    expect(body.errors).toEqual([
      { property: 'owner', messages: ['owner must be a string'] },
      { property: 'items.1.name', messages: ['name must be a string'] },
      { property: 'items.1.count', messages: ['count must not be less than 1'] },
    ]);
  });

  it('refuses undeclared properties when asked to', async () => {
    const strict = createRequestValidator(Basket, true);
    const checked = await strict(json({ owner: 'ada', extra: 1, items: [] }), JSON_FLAGS);
    expect(JSON.parse((checked as { body: string }).body).errors).toEqual([{ property: 'extra', messages: ['property extra should not exist'] }]);
  });

  it('checks msgpack bodies and hands them on as msgpack', async () => {
    const checked = await check(msgpack.pack({ owner: 'ada', items: [{ name: 'tea', count: 1 }] }), MSGPACK_FLAGS);
    expect('payload' in checked && msgpack.unpack(checked.payload)).toEqual({ owner: 'ada', items: [{ name: 'tea', count: 1 }] });
  });

  it('answers 400 for a body that is not JSON, and 422 for one that is not an object', async () => {
    expect(await check(Buffer.from('{"owner"'), JSON_FLAGS)).toMatchObject({ status: 400, body: expect.stringMatching(/^decoding error: invalid JSON/) });
    expect(await check(json([1, 2]), JSON_FLAGS)).toMatchObject({ status: 422 });
    expect(await check(json('ada'), JSON_FLAGS)).toMatchObject({ status: 422 });
  });

  it('answers 415 for raw bytes or text, which a DTO cannot check', async () => {
    const checked = await check(Buffer.from('abc'), codecFlagsFor('application/octet-stream', undefined));
    expect(checked).toMatchObject({ status: 415, body: 'unsupported media type: this route takes a JSON or msgpack body, not application/octet-stream' });
  });
});
