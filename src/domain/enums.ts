// The domain vocabulary. The values are declared once, in schema.prisma, and
// shared by the database, both GraphQL schemas and input validation.
export {
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
  RiskLevel,
  SubjectRole,
  TraceRequestStatus,
  UnitKind,
  VehicleRole,
} from '../generated/prisma/enums.ts';
