package io.traverse.transport;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.concurrent.EventExecutor;
import io.traverse.config.LimitsConfig;
import io.traverse.config.RelayConfig;
import io.traverse.config.TlsConfig;
import io.traverse.metrics.TraverseMetrics;
import io.traverse.metrics.TraverseMetrics.DropReason;
import io.traverse.turn.AllocationRegistry;
import io.traverse.turn.TurnClock;
import io.traverse.turn.TransportProtocol;
import java.net.Inet6Address;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/** Binds UDP, TCP, TLS and DTLS listener sockets. */
public final class Listeners {
    /** Largest datagram we expect; RFC 8656 relays up to 65535 bytes but real media stays under the MTU. */
    static final int MAX_DATAGRAM = 2048;
    /**
     * Datagrams read per recvmmsg call on epoll. 8 x 2048 = 16 KiB keeps the per-read buffer inside Netty 4.2's
     * adaptive allocator size classes (up to 16896 bytes); a 32 KiB buffer falls back to malloc plus zeroing on
     * every read when the heap is 512 MiB or less (Netty's low-memory mode), which showed in CPU profiles.
     */
    static final int DATAGRAMS_PER_READ = 8;

    private final IoTransport io;
    private final EventLoopGroup group;
    private final StunHandler dispatcher;
    private final AllocationRegistry registry;
    private final TurnClock clock;
    private final TraverseMetrics metrics;
    private final StreamLimits streamLimits;
    private final StreamBackpressure backpressure;
    private final DtlsLimits dtlsLimits;
    private final int socketBuffer;

    public Listeners(IoTransport io, EventLoopGroup group, StunHandler dispatcher, AllocationRegistry registry,
            TurnClock clock, TraverseMetrics metrics, LimitsConfig limits) {
        this(io, group, dispatcher, registry, clock, metrics, limits, RelayConfig.DEFAULT_SOCKET_BUFFER);
    }

    /** @param socketBuffer SO_RCVBUF/SO_SNDBUF of datagram listeners bound without their own size */
    public Listeners(IoTransport io, EventLoopGroup group, StunHandler dispatcher, AllocationRegistry registry,
            TurnClock clock, TraverseMetrics metrics, LimitsConfig limits, int socketBuffer) {
        this.socketBuffer = socketBuffer;
        this.io = io;
        this.group = group;
        this.dispatcher = dispatcher;
        this.registry = registry;
        this.clock = clock;
        this.metrics = metrics;
        this.streamLimits = new StreamLimits(limits.streams(), metrics);
        this.backpressure = new StreamBackpressure(limits.streams().maxPendingBytes(), metrics);
        this.dtlsLimits = new DtlsLimits(limits.dtls(), metrics);
    }

    /** {@code relay.legacy-channel-numbers}: whether ChannelData on 0x5000-0x7FFF is relayed. */
    private boolean legacyChannelNumbers;

    /**
     * Accept ChannelData on RFC 5766's channel numbers 0x5000-0x7FFF (first byte 80-127); by default only RFC 8656
     * §12's 0x4000-0x4FFF (first byte 64-79, RFC 7983's TURN range) is ChannelData and the rest is dropped as
     * malformed. Call before binding listeners.
     */
    public void legacyChannelNumbers(boolean accept) {
        this.legacyChannelNumbers = accept;
    }

    private ChannelDataRelay newRelay() {
        return new ChannelDataRelay(registry, clock, metrics, legacyChannelNumbers);
    }

    /**
     * Binds a UDP listener. On epoll one socket per event loop shares the port through {@code SO_REUSEPORT}, so
     * the kernel spreads clients over the loops by 5-tuple; with NIO a single socket is bound.
     *
     * @return the bound channels (all on the same local address)
     */
    public List<Channel> bindUdp(InetSocketAddress address) throws InterruptedException {
        return bindUdp(address, socketBuffer);
    }

    /** {@link #bindUdp(InetSocketAddress)} with SO_RCVBUF/SO_SNDBUF of {@code socketBuffer} bytes. */
    public List<Channel> bindUdp(InetSocketAddress address, int socketBuffer) throws InterruptedException {
        return bindDatagram(address, socketBuffer, () -> new UdpServerHandler(dispatcher, newRelay(), metrics));
    }

    /**
     * Binds a DTLS 1.2 listener (RFC 8656 §3.1, RFC 6347; default port 5349, like TLS but over UDP): one socket per
     * event loop as for UDP, each with a {@link DtlsServerHandler} keeping the associations of its clients.
     * ClientHellos are answered statelessly until a client returns a valid cookie; handshakes run on a small
     * bounded pool, records are decrypted and encrypted on the loop (see {@link DtlsListener}). The certificate is
     * the store's current one at each handshake.
     *
     * @return the bound channels (all on the same local address)
     */
    public List<Channel> bindDtls(InetSocketAddress address, CertificateStore certificates, TlsConfig tls)
            throws InterruptedException {
        return bindDtls(address, certificates, tls, socketBuffer);
    }

    /** {@link #bindDtls(InetSocketAddress, CertificateStore, TlsConfig)} with buffers of {@code socketBuffer}. */
    public List<Channel> bindDtls(InetSocketAddress address, CertificateStore certificates, TlsConfig tls,
            int socketBuffer) throws InterruptedException {
        DtlsListener dtls = new DtlsListener(certificates, tls);
        List<Channel> channels;
        try {
            channels = bindDatagram(address, socketBuffer,
                    () -> new DtlsServerHandler(dtls, dispatcher, newRelay(), registry, clock, metrics,
                            dtlsLimits));
        } catch (RuntimeException | InterruptedException e) {
            dtls.executor().shutdownNow();
            throw e;
        }
        dtls.track(channels);
        return channels;
    }

    private List<Channel> bindDatagram(InetSocketAddress address, int socketBuffer, Supplier<ChannelHandler> handler)
            throws InterruptedException {
        List<Channel> channels = new ArrayList<>();
        InetSocketAddress bindTo = address;
        try {
            for (EventExecutor loop : group) {
                Bootstrap b = new Bootstrap()
                        .group((io.netty.channel.EventLoop) loop)
                        .channelFactory(() -> io.newDatagramChannel(address.getAddress()))
                        .handler(handler.get());
                DatagramSockets.configureListener(b, io, address.getAddress(), socketBuffer);
                if (io == IoTransport.EPOLL) {
                    b.option(IoTransport.SO_REUSEPORT, true);
                }
                Channel channel = b.bind(bindTo).sync().channel();
                channels.add(channel);
                bindTo = (InetSocketAddress) channel.localAddress();
                if (!io.supportsReusePort()) {
                    break;
                }
            }
        } catch (RuntimeException | InterruptedException e) {
            channels.forEach(Channel::close);
            throw e;
        }
        return channels;
    }

    /**
     * Binds a TCP listener with the default {@code tls.idle-timeout}; each connection is served on the loop it is
     * registered with.
     */
    public Channel bindTcp(InetSocketAddress address) throws InterruptedException {
        return bindTcp(address, TlsConfig.defaults().idleTimeout());
    }

    /**
     * Binds a TCP listener; each connection is served on the loop it is registered with. A connection without an
     * allocation that sends no complete message for {@code idleTimeout} is closed ({@link TlsIdleTimeoutHandler}).
     */
    public Channel bindTcp(InetSocketAddress address, Duration idleTimeout) throws InterruptedException {
        long idleNanos = idleTimeout.toNanos();
        return bindStream(address, new ChannelInitializer<Channel>() {
            @Override
            protected void initChannel(Channel ch) {
                if (streamLimits.admit(ch)) {
                    addStreamHandlers(ch, TransportProtocol.TCP, idleNanos);
                }
            }
        });
    }

    /**
     * Binds a TLS listener (RFC 8656 §3.1, default port 5349; 443 works too): an {@link io.netty.handler.ssl.SslHandler}
     * from the store's current context (so a reloaded certificate applies to new connections only) in front of the
     * same stream framing as TCP, with {@link TransportProtocol#TLS} in the 5-tuple. The handshake must finish
     * within {@code tls.handshake-timeout}; the idle rule of {@link #bindTcp(InetSocketAddress, Duration)} applies.
     */
    public Channel bindTls(InetSocketAddress address, CertificateStore certificates, TlsConfig tls)
            throws InterruptedException {
        long handshakeMillis = Math.max(1, tls.handshakeTimeout().toMillis());
        long idleNanos = tls.idleTimeout().toNanos();
        return bindStream(address, new ChannelInitializer<Channel>() {
            @Override
            protected void initChannel(Channel ch) {
                if (!streamLimits.admitTls(ch)) {
                    return;
                }
                SslHandler ssl;
                try {
                    ssl = certificates.sslContext().newHandler(ch.alloc());
                } catch (RuntimeException e) {
                    streamLimits.handshakeDone();
                    streamLimits.allocated();
                    throw e;
                }
                ssl.setHandshakeTimeoutMillis(handshakeMillis);
                ssl.handshakeFuture().addListener(f -> {
                    streamLimits.handshakeDone();
                    metrics.handshake(TransportProtocol.TLS, f.isSuccess());
                });
                ch.pipeline().addLast("tls", ssl);
                TlsRecordPerMessage.install(ch.pipeline(), "tls");
                addStreamHandlers(ch, TransportProtocol.TLS, idleNanos);
            }
        });
    }

    private void addStreamHandlers(Channel ch, TransportProtocol protocol, long idleNanos) {
        // Names matter: an RFC 6062 ConnectionBind removes "stun", "idle", "framer" and "backpressure" to turn the
        // connection into a raw data pipe.
        ch.pipeline()
                .addLast("framer", new StreamFrameDecoder(() -> metrics.dropped(DropReason.MALFORMED)))
                .addLast("idle", new TlsIdleTimeoutHandler(registry, clock, protocol, idleNanos, streamLimits))
                .addLast("stun", new StreamServerHandler(dispatcher, newRelay(), metrics, protocol))
                .addLast("backpressure", backpressure);
    }

    private Channel bindStream(InetSocketAddress address, ChannelInitializer<Channel> initializer)
            throws InterruptedException {
        ServerBootstrap b = new ServerBootstrap()
                .group(group)
                .channelFactory(io.serverChannelFactory(address.getAddress())::get)
                .option(ChannelOption.SO_BACKLOG, 1024)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK, streamLimits.waterMark())
                .childHandler(initializer);
        if (io == IoTransport.EPOLL && address.getAddress() instanceof Inet6Address) {
            b.option(IoTransport.IPV6_V6ONLY, 1);
        }
        return b.bind(address).sync().channel();
    }
}
