using System.Text.RegularExpressions;
using Gateway.Channel.Families;
using Gateway.Contracts.Containers;
using Gateway.Contracts.Errors;
using Gateway.Security;

namespace Gateway.Docker;

/// <summary>
/// Grants name containers (<c>docker/{host}/containers/{name}</c>), but the engine takes a reference as a full id, then a
/// name, then an id's prefix: a caller granted <c>containers/b*</c> reached every container whose id starts with b. A
/// reference that could be an id is resolved first (one inspect); unless it is the container's own name, the caller must
/// also hold the endpoint's grants with the container's name in it, and the call then goes to the full id, so it acts on
/// the container that was judged. A name that does not look like an id costs nothing.
/// </summary>
public static partial class ContainerReferenceCheck
{
    private const string RouteValue = "container";

    /// <summary>Adds the check to every endpoint of <paramref name="group"/> whose handler takes a <c>container</c> argument.</summary>
    public static RouteGroupBuilder ResolvesContainerIds(this RouteGroupBuilder group) =>
        group.AddEndpointFilterFactory((factory, next) =>
        {
            var index = Array.FindIndex(factory.MethodInfo.GetParameters(), p => p.Name == RouteValue && p.ParameterType == typeof(string));
            return index < 0 ? next : async context =>
            {
                if (context.Arguments[index] is string reference && IdLike().IsMatch(reference))
                    context.Arguments[index] = await ResolveAsync(context.HttpContext, reference);
                return await next(context);
            };
        });

    private static async Task<string> ResolveAsync(HttpContext http, string reference)
    {
        var services = http.RequestServices;
        var host = http.GetRouteValue("host") as string ?? "";
        var container = await services.GetRequiredService<BridgeRegistry<IContainerHost>>().Get(host).InspectContainerAsync(reference, http.RequestAborted);
        var name = container.Name.TrimStart('/');
        if (name == reference) return container.Id;
        var access = services.GetRequiredService<AccessEvaluator>();
        var requirements = http.GetEndpoint()?.Metadata.GetOrderedMetadata<GatewayAccessMetadata>().SelectMany(m => m.Requirements) ?? [];
        foreach (var requirement in requirements.Where(r => r.Template.Contains("{" + RouteValue + "}", StringComparison.Ordinal)))
        {
            var wanted = new ResourceAccess(requirement.Operation ?? Operations.FromMethod(http.Request.Method),
                ResourceTemplates.Resolve(requirement.Template.Replace("{" + RouteValue + "}", name, StringComparison.Ordinal), http), requirement.Prefix);
            if (access.Allows(http.User, wanted)) continue;
            services.GetRequiredService<SecurityEvents>().Denied(http, SecurityEvent.Forbidden, "no grant on the container an id names");
            throw new GatewayException(ErrorCode.Forbidden,
                $"The caller may not {wanted.Operation.Name()} '{wanted.Resource}': '{reference}' is that container's id, and grants name containers by name.");
        }
        return container.Id;
    }

    /// <summary>What the engine could take for an id or an id's prefix (ids are 64 lower-case hex digits).</summary>
    [GeneratedRegex(@"\A[0-9a-f]{2,64}\z")]
    private static partial Regex IdLike();
}
