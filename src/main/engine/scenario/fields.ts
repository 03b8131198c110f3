/**
 * Field schemas every section of a scenario file uses (ids, shares, urgencies), so the
 * sections the scenario schema composes — its own and each agent kind's — spell them once.
 */
import { z } from 'zod';
import { URGENCIES } from '../../../shared/events';

export const id = z
  .string()
  .regex(/^[A-Za-z0-9_-]{1,40}$/, { error: '1 to 40 of A-Z a-z 0-9 _ -' });
export const share = z.number().min(0).max(1);
export const positive = z.number().positive();
export const urgency = z.enum(URGENCIES as [string, ...string[]]) as z.ZodType<
  (typeof URGENCIES)[number]
>;
/** The radio technologies an agent's energy can be metered with (resources/radio-models.json). */
export const radioTechnology = z.enum(['lte', '3g', 'wifi']);
