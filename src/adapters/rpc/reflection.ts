// gRPC server reflection (SPEC §6), both grpc.reflection.v1 and v1alpha, so buf curl and
// grpcurl can call the service with no local proto files. Files are served from the
// descriptors compiled into src/gen (well-known types from @bufbuild/protobuf/wkt).
import { createRegistry, toBinary, type DescFile, type DescService } from '@bufbuild/protobuf';
import { FileDescriptorProtoSchema } from '@bufbuild/protobuf/wkt';
import { Code, type ConnectRouter } from '@connectrpc/connect';
import { ServerReflection as ReflectionV1 } from '../../gen/grpc/reflection/v1/reflection_pb.ts';
import { ServerReflection as ReflectionV1alpha } from '../../gen/grpc/reflection/v1alpha/reflection_pb.ts';
import { until, type PublicStreams } from './public-streams.ts';

/** The request fields v1 and v1alpha share; both generated request types fit it. */
interface ReflectionRequest {
  readonly host: string;
  readonly messageRequest:
    | { case: 'fileByFilename' | 'fileContainingSymbol' | 'allExtensionNumbersOfType' | 'listServices'; value: string }
    | { case: 'fileContainingExtension'; value: { containingType: string; extensionNumber: number } }
    | { case: undefined; value?: undefined };
}

type ReflectionAnswer =
  | { case: 'fileDescriptorResponse'; value: { fileDescriptorProto: Uint8Array[] } }
  | { case: 'listServicesResponse'; value: { service: { name: string }[] } }
  | { case: 'errorResponse'; value: { errorCode: number; errorMessage: string } };

/** `roots` and every file they depend on, transitively, by proto file name, each root before its dependencies. */
function withDependencies(roots: readonly DescFile[]): Map<string, DescFile> {
  const files = new Map<string, DescFile>();
  const add = (file: DescFile): void => {
    if (files.has(file.proto.name)) return;
    files.set(file.proto.name, file);
    file.dependencies.forEach(add);
  };
  roots.forEach(add);
  return files;
}

/** The answer to a file request: the file first, then its dependencies (what reflection clients expect). */
function fileDescriptorResponse(file: DescFile): ReflectionAnswer {
  const fileDescriptorProto = [...withDependencies([file]).values()].map((each) => toBinary(FileDescriptorProtoSchema, each.proto));
  return { case: 'fileDescriptorResponse', value: { fileDescriptorProto } };
}

function notFound(message: string): ReflectionAnswer {
  return { case: 'errorResponse', value: { errorCode: Code.NotFound, errorMessage: message } };
}

/** Builds the answerer over `services` (the reflection services list themselves too). */
function reflectionAnswerer(services: readonly DescService[]): (request: ReflectionRequest) => ReflectionAnswer {
  const files = withDependencies(services.map((service) => service.file));
  const registry = createRegistry(...files.values());

  // A symbol is a type, a service, or a member of one (method, field, enum value): look up its parent.
  function fileOfSymbol(symbol: string): DescFile | undefined {
    const found = registry.get(symbol) ?? registry.get(symbol.slice(0, Math.max(0, symbol.lastIndexOf('.'))));
    return found?.file;
  }

  return (request) => {
    const asked = request.messageRequest;
    switch (asked.case) {
      case 'listServices':
        return { case: 'listServicesResponse', value: { service: services.map((service) => ({ name: service.typeName })) } };
      case 'fileByFilename': {
        const file = files.get(asked.value);
        return file ? fileDescriptorResponse(file) : notFound(`file ${asked.value} not found`);
      }
      case 'fileContainingSymbol': {
        const file = fileOfSymbol(asked.value);
        return file ? fileDescriptorResponse(file) : notFound(`symbol ${asked.value} not found`);
      }
      case 'fileContainingExtension':
        return notFound(`no extension ${asked.value.extensionNumber} of ${asked.value.containingType}`);
      case 'allExtensionNumbersOfType':
        return notFound(`no extensions of ${asked.value}`);
      default:
        return { case: 'errorResponse', value: { errorCode: Code.InvalidArgument, errorMessage: 'empty reflection request' } };
    }
  };
}

/**
 * Registers grpc.reflection.v1 and v1alpha ServerReflection on `router`, describing `services`.
 * Each reflection stream is a public stream: bounded in number, and ended (OK) at its lifetime.
 */
export function registerReflection(router: ConnectRouter, services: readonly DescService[], publicStreams: PublicStreams): void {
  const answer = reflectionAnswerer([...services, ReflectionV1, ReflectionV1alpha]);
  router.service(ReflectionV1, {
    serverReflectionInfo(requests) {
      return publicStreams.run(async function* (lifetime) {
        for await (const request of until(requests, lifetime)) {
          yield { validHost: request.host, originalRequest: request, messageResponse: answer(request) };
        }
      });
    },
  });
  router.service(ReflectionV1alpha, {
    serverReflectionInfo(requests) {
      return publicStreams.run(async function* (lifetime) {
        for await (const request of until(requests, lifetime)) {
          yield { validHost: request.host, originalRequest: request, messageResponse: answer(request) };
        }
      });
    },
  });
}
