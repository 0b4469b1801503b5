using Gateway.Hosting;

if (Gateway.Channel.ChannelCli.TryRun(args) is { } channelVerb) return channelVerb;
return await GatewayApp.RunAsync(args);
