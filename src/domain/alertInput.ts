import { z } from 'zod';
import { ErrorCode, hubError } from '../errors.ts';
import {
  AlertKind,
  AlertStatus,
  BorderCrossingPoint,
  ComponentKind,
  DocumentKind,
  EuFirearmCategory,
  ExplosiveType,
  FirearmType,
  LocationKind,
  QuantityUnit,
  SubjectRole,
  TraceRequestStatus,
  VehicleRole,
} from './enums.ts';
import { normalizeIdentifier, normalizeSerial } from './normalize.ts';
import { freeText, lineText } from './textInput.ts';

/** How far ahead of the server clock a reported time may be (clock skew of field devices). */
const clockSkewMs = 5 * 60 * 1000;

const countryCode = z.string().regex(/^[A-Z]{2}$/, 'must be a two-letter country code such as XK or MK');

/** No birth or event of this exchange is older: a year before it is a typing error (and year 1 would make reference XK-ALR-1-000001). */
const earliestYear = 1900;
const sinceEarliestYear = (value: Date) => value.getUTCFullYear() >= earliestYear;
const sinceEarliestYearMessage = `must be in ${earliestYear} or later`;

const pastInstant = z
  .date()
  .refine((value) => value.getTime() <= Date.now() + clockSkewMs, 'must not be in the future')
  .refine(sinceEarliestYear, sinceEarliestYearMessage);

const birthDate = z
  .date()
  .refine((value) => value.getTime() <= Date.now(), 'must not be in the future')
  .refine(sinceEarliestYear, sinceEarliestYearMessage);

const serialNumber = z
  .string()
  .trim()
  .min(1, 'must not be empty')
  .max(64, 'must be at most 64 characters')
  .regex(/^[\p{L}\p{N}][\p{L}\p{N} ./-]*$/u, 'may contain only letters, digits, spaces, dots, dashes and slashes')
  .refine((value) => normalizeSerial(value).length >= 2, 'must contain at least two letters or digits');

const plate = z
  .string()
  .trim()
  .max(15, 'must be at most 15 characters')
  .regex(/^[\p{L}\p{N}][\p{L}\p{N} -]*$/u, 'may contain only letters, digits, spaces and dashes')
  .refine((value) => normalizeIdentifier(value).length >= 3, 'must contain at least three letters or digits');

const vin = z
  .string()
  .trim()
  .transform((value) => value.toUpperCase())
  .pipe(z.string().regex(/^[A-HJ-NPR-Z0-9]{17}$/, 'must be 17 characters, letters and digits without I, O and Q (ISO 3779)'));

const documentNumber = z
  .string()
  .trim()
  .max(40, 'must be at most 40 characters')
  .regex(/^[\p{L}\p{N}][\p{L}\p{N} -]*$/u, 'may contain only letters, digits, spaces and dashes')
  .refine((value) => normalizeIdentifier(value).length >= 4, 'must contain at least four letters or digits');

const riskScore = z.number().int('must be a whole number').min(1, 'must be between 1 and 5').max(5, 'must be between 1 and 5');

const currentYear = () => new Date().getUTCFullYear();

export const locationInput = z
  .object({
    kind: z.enum(LocationKind),
    borderCrossing: z.enum(BorderCrossingPoint).nullish(),
    municipality: lineText(100).nullish(),
    latitude: z.number().min(-90).max(90).nullish(),
    longitude: z.number().min(-180).max(180).nullish(),
  })
  .superRefine((value, ctx) => {
    if (value.kind === LocationKind.BORDER_CROSSING_POINT && !value.borderCrossing) {
      ctx.addIssue({ code: 'custom', path: ['borderCrossing'], message: 'is required for a border crossing point' });
    }
    if (value.kind === LocationKind.GREEN_BORDER && (value.latitude == null || value.longitude == null)) {
      ctx.addIssue({ code: 'custom', path: ['latitude'], message: 'latitude and longitude are required on the green border' });
    }
    if (value.kind === LocationKind.MUNICIPALITY && !value.municipality) {
      ctx.addIssue({ code: 'custom', path: ['municipality'], message: 'is required for a place in a municipality' });
    }
    if ((value.latitude == null) !== (value.longitude == null)) {
      ctx.addIssue({ code: 'custom', path: ['longitude'], message: 'latitude and longitude go together' });
    }
  });

export const riskInput = z.object({ threat: riskScore, vulnerability: riskScore, impact: riskScore });

export const firearmInput = z.object({
  make: lineText(100),
  model: lineText(100),
  type: z.enum(FirearmType),
  calibre: lineText(40),
  serialNumber: serialNumber.nullish(),
  countryOfManufacture: countryCode.nullish(),
  countryOfLastImport: countryCode.nullish(),
  yearOfManufacture: z
    .number()
    .int()
    .min(1800, 'must be 1800 or later')
    .refine((year) => year <= currentYear(), 'must not be in the future')
    .nullish(),
  euCategory: z.enum(EuFirearmCategory).nullish(),
  convertedGasAlarm: z.boolean().default(false),
  printed3d: z.boolean().default(false),
  reactivated: z.boolean().default(false),
  serialObliterated: z.boolean().default(false),
});

export const ammunitionInput = z.object({
  calibre: lineText(40),
  quantity: z.number().int('must be a whole number').positive('must be positive').max(10_000_000, 'is implausibly large'),
});

export const explosiveInput = z.object({
  type: z.enum(ExplosiveType),
  description: freeText(500).nullish(),
  quantity: z.number().positive('must be positive').max(1_000_000, 'is implausibly large'),
  unit: z.enum(QuantityUnit),
});

export const componentInput = z.object({
  kind: z.enum(ComponentKind),
  quantity: z.number().int('must be a whole number').positive('must be positive').max(100_000, 'is implausibly large'),
  serialNumber: serialNumber.nullish(),
});

export const identityDocumentInput = z.object({
  kind: z.enum(DocumentKind),
  number: documentNumber,
  issuingCountry: countryCode,
  expiresOn: z.date().nullish(),
});

export const subjectInput = z.object({
  role: z.enum(SubjectRole),
  familyName: lineText(100),
  givenName: lineText(100),
  dateOfBirth: birthDate.nullish(),
  nationality: countryCode.nullish(),
  documents: z.array(identityDocumentInput).max(20, 'at most 20 documents per subject').default([]),
});

export const vehicleInput = z
  .object({
    role: z.enum(VehicleRole),
    plate: plate.nullish(),
    plateCountry: countryCode.nullish(),
    make: lineText(60).nullish(),
    model: lineText(60).nullish(),
    colour: lineText(40).nullish(),
    vin: vin.nullish(),
  })
  .refine((value) => Boolean(value.plate || value.vin), { message: 'a vehicle needs a plate or a VIN', path: ['plate'] });

export const createAlertInput = z.object({
  kind: z.enum(AlertKind),
  title: lineText(200),
  occurredAt: pastInstant,
  location: locationInput,
  modusOperandi: freeText(4000).nullish(),
  risk: riskInput,
  unitCode: lineText(40).nullish(),
  firearms: z.array(firearmInput).max(500, 'at most 500 firearms per alert').default([]),
  ammunition: z.array(ammunitionInput).max(200, 'at most 200 ammunition lots per alert').default([]),
  explosives: z.array(explosiveInput).max(200, 'at most 200 explosive lots per alert').default([]),
  components: z.array(componentInput).max(500, 'at most 500 components per alert').default([]),
  subjects: z.array(subjectInput).max(100, 'at most 100 subjects per alert').default([]),
  vehicles: z.array(vehicleInput).max(50, 'at most 50 vehicles per alert').default([]),
});
export type CreateAlertInput = z.infer<typeof createAlertInput>;

export const updateAlertInput = z
  .object({
    status: z.enum(AlertStatus).nullish(),
    title: lineText(200).nullish(),
    modusOperandi: freeText(4000).nullish(),
    risk: riskInput.nullish(),
  })
  .refine((value) => Object.values(value).some((field) => field != null), { message: 'nothing to update' });
export type UpdateAlertInput = z.infer<typeof updateAlertInput>;

export const submitTraceRequestInput = z.object({
  firearmId: z.uuid('must be the id of a firearm on one of your alerts'),
  addressedTo: countryCode,
  question: freeText(4000),
});
export type SubmitTraceRequestInput = z.infer<typeof submitTraceRequestInput>;

export const advanceTraceRequestInput = z.object({
  status: z.enum(TraceRequestStatus),
  note: freeText(2000).nullish(),
  answer: freeText(8000).nullish(),
});
export type AdvanceTraceRequestInput = z.infer<typeof advanceTraceRequestInput>;

/**
 * Parses client input, turning every problem into one VALIDATION_FAILED error
 * that lists each field path and what is wrong with it.
 */
export function parseInput<S extends z.ZodType>(schema: S, value: unknown, argumentName = 'input'): z.infer<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issues = result.error.issues.map((issue) => ({
    path: [argumentName, ...issue.path].join('.'),
    message: issue.message,
  }));
  throw validationFailed(issues);
}

/** The VALIDATION_FAILED error of these problems: each field path and what is wrong with it. */
export function validationFailed(issues: { path: string; message: string }[]) {
  const summary = issues
    .slice(0, 5)
    .map((issue) => `${issue.path} ${issue.message}`)
    .join('; ');
  return hubError(ErrorCode.VALIDATION_FAILED, `Invalid input: ${summary}.`, { issues });
}
