import type { Command } from 'commander';
import type { CliIO } from '../io.js';
import { registerApply } from './apply.js';
import { registerAudit } from './audit.js';
import { registerImport } from './import.js';
import { registerInit } from './init.js';
import { registerPlan } from './plan.js';
import { registerRender } from './render.js';
import { registerReport } from './report.js';
import { registerReviewedPlan } from './reviewed-plan.js';
import { registerRules } from './rules.js';
import { registerSchema } from './schema.js';
import { registerValidate } from './validate.js';

export type Register = (program: Command, io: CliIO, setExit: (code: number) => void) => void;

/** Every command, in help order. Each lives in its own file. */
export const COMMANDS: readonly Register[] = [
  registerInit,
  registerValidate,
  registerRender,
  registerPlan,
  registerApply,
  registerAudit,
  registerImport,
  registerReport,
  registerReviewedPlan,
  registerSchema,
  registerRules,
];
