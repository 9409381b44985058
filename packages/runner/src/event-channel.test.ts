import { describe, expect, it } from "vitest";
import { EventChannel } from "./event-channel.ts";

describe("EventChannel", () => {
  it("gives every event in order to its iterator, then ends, and settles the result", async () => {
    const channel = new EventChannel<number, string>();
    channel.push(1);
    const seen: number[] = [];
    const consuming = (async () => {
      for await (const event of channel) seen.push(event);
    })();
    channel.push(2);
    channel.push(3);
    channel.finish("done");
    await consuming;
    expect(seen).toEqual([1, 2, 3]);
    expect(await channel.result).toBe("done");
  });

  it("throws the failure from the iteration after the queued events, and rejects the result", async () => {
    const channel = new EventChannel<number, string>();
    channel.push(1);
    const failure = new Error("no");
    channel.fail(failure);
    const seen: number[] = [];
    await expect(
      (async () => {
        for await (const event of channel) seen.push(event);
      })(),
    ).rejects.toBe(failure);
    expect(seen).toEqual([1]);
    await expect(channel.result).rejects.toBe(failure);
  });

  it("refuses a second iteration", async () => {
    const channel = new EventChannel<number, string>();
    channel.finish("x");
    for await (const _ of channel) {
      // drain
    }
    await expect(channel[Symbol.asyncIterator]().next()).rejects.toThrow(/only once/);
  });
});
