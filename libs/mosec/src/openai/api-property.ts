type Swagger = typeof import('@nestjs/swagger');
let swagger: Swagger | null | undefined;

/** @nestjs/swagger when it is installed (an optional peer): the OpenAI parts work without it, undocumented. */
function loadSwagger(): Swagger | null {
  if (swagger === undefined) {
    try {
      swagger = require('@nestjs/swagger') as Swagger;
    } catch {
      swagger = null;
    }
  }
  return swagger;
}

type Decorator = PropertyDecorator & MethodDecorator & ClassDecorator;
const nothing = (() => undefined) as Decorator;

/** One of @nestjs/swagger's decorators by name, or one that does nothing when it is absent. */
export function swaggerDecorator<Name extends 'ApiProperty' | 'ApiBody' | 'ApiOkResponse' | 'ApiTags' | 'ApiOperation'>(
  name: Name,
  ...args: Parameters<Swagger[Name]>
): Decorator {
  const loaded = loadSwagger();
  return loaded ? ((loaded[name] as (...a: unknown[]) => Decorator)(...args)) : nothing;
}

/** `@ApiProperty(options)`, or nothing without @nestjs/swagger. */
export function ApiProperty(options: Parameters<Swagger['ApiProperty']>[0]): PropertyDecorator {
  return swaggerDecorator('ApiProperty', options);
}
