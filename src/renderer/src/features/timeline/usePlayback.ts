/**
 * Plays the recording: on every animation frame the moment shown moves on by the real time
 * elapsed × the speed (lab time), through the store's coalescing travelTo. Stops at the end
 * (a live lab then follows "now" again), when the lab is replaced, or when asked.
 */
import { useEffect, useRef, useState } from 'react';
import { selectActions, useLab } from '../../store';
import { advancePlay, DEFAULT_PLAY_SPEED, playStart } from './play';

export interface Playback {
  playing: boolean;
  speed: number;
  setSpeed(speed: number): void;
  /** Starts from the moment shown (or the beginning when at the end), or pauses. */
  toggle(): void;
  stop(): void;
}

/** `span` is the recorded lab time (null until the timeline is known). */
export function usePlayback(
  span: { firstT: number; lastT: number } | null,
  live: boolean,
): Playback {
  const { travelTo, returnToLive } = useLab(selectActions);
  const travelT = useLab((s) => s.travel?.t ?? null);
  const epoch = useLab((s) => s.run?.epoch ?? null);
  const [playing, setPlaying] = useState(false);
  const [speed, setSpeed] = useState(DEFAULT_PLAY_SPEED);
  // Read by the frame loop without restarting it.
  const speedRef = useRef(speed);
  const lastTRef = useRef(span?.lastT ?? 0);
  const startRef = useRef(0);
  useEffect(() => {
    speedRef.current = speed;
    lastTRef.current = span?.lastT ?? 0;
  });

  // A new lab: whatever played belonged to the old one.
  useEffect(() => setPlaying(false), [epoch]);

  useEffect(() => {
    if (!playing) return;
    let t = startRef.current;
    let previous: number | null = null;
    let frame = requestAnimationFrame(function tick(now) {
      const next = advancePlay(
        t,
        previous === null ? 0 : now - previous,
        speedRef.current,
        lastTRef.current,
      );
      previous = now;
      t = next.t;
      void travelTo({ t });
      if (!next.done) {
        frame = requestAnimationFrame(tick);
        return;
      }
      setPlaying(false);
      if (live) returnToLive();
    });
    return () => cancelAnimationFrame(frame);
  }, [playing, live, travelTo, returnToLive]);

  return {
    playing,
    speed,
    setSpeed,
    toggle: () => {
      if (playing || span === null) {
        setPlaying(false);
        return;
      }
      startRef.current = playStart(travelT, span.firstT, span.lastT);
      setPlaying(true);
    },
    stop: () => setPlaying(false),
  };
}
