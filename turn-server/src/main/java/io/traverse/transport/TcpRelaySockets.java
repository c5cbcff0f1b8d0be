package io.traverse.transport;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import java.net.Inet6Address;
import java.net.InetSocketAddress;

/**
 * Sockets of RFC 6062 TCP allocations: the listening socket at the relayed transport address (peers connect to
 * it), outgoing connections to peers from that same address (Connect), and the pipe that joins a peer connection
 * to a client data connection once ConnectionBind succeeds. Peer connections start with reading off: nothing is
 * read from a peer until its data connection exists.
 */
public final class TcpRelaySockets {
    /** Raw {@code setsockopt(SOL_SOCKET, SO_REUSEPORT)}: epoll's socket channels take no typed option for it. */
    private static final ChannelOption<Integer> RAW_SO_REUSEPORT =
            new io.netty.channel.unix.IntegerUnixChannelOption("SO_REUSEPORT", 1, 15);

    private final IoTransport io;

    public TcpRelaySockets(IoTransport io) {
        this.io = io;
    }

    /** Listens at {@code address} on {@code loop}; accepted peer connections get {@code peerHandler}. */
    public ChannelFuture listen(EventLoop loop, InetSocketAddress address, ChannelHandler peerHandler) {
        ServerBootstrap b = new ServerBootstrap()
                .group(loop, loop)
                .channelFactory(io.serverChannelFactory(address.getAddress())::get)
                .option(ChannelOption.SO_BACKLOG, 64)
                .option(ChannelOption.SO_REUSEADDR, true)
                .childOption(ChannelOption.AUTO_READ, false)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childHandler(peerHandler);
        if (io.supportsReusePort()) {
            b.option(IoTransport.SO_REUSEPORT, true);
            if (address.getAddress() instanceof Inet6Address) {
                b.option(IoTransport.IPV6_V6ONLY, 1);
            }
        }
        return b.bind(address);
    }

    /**
     * Connects to {@code peer} from {@code local} (the relayed transport address, shared with the listening socket
     * through SO_REUSEPORT on epoll; on NIO the source port is ephemeral). Reading stays off.
     */
    public ChannelFuture connect(EventLoop loop, InetSocketAddress local, InetSocketAddress peer, int timeoutMillis) {
        Bootstrap b = new Bootstrap()
                .group(loop)
                .channel(io.socketChannelClass())
                .option(ChannelOption.AUTO_READ, false)
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, timeoutMillis)
                .handler(new ChannelInboundHandlerAdapter());
        if (io.supportsReusePort()) {
            b.option(ChannelOption.SO_REUSEADDR, true).option(RAW_SO_REUSEPORT, 1);
            return b.connect(peer, local);
        }
        return b.connect(peer, new InetSocketAddress(local.getAddress(), 0));
    }

    /**
     * Joins two connections: bytes read on either are written to the other, closing one closes the other. The
     * client side's STUN handlers must already be removed. Reading resumes on both.
     */
    public static void pipe(Channel client, Channel peer) {
        client.pipeline().addLast("pipe", new Pipe(peer));
        peer.pipeline().addLast("pipe", new Pipe(client));
        client.config().setAutoRead(true);
        peer.config().setAutoRead(true);
        client.read();
        peer.read();
    }

    /** One direction of a pipe, with backpressure: stops reading while the other side cannot take more. */
    private static final class Pipe extends ChannelInboundHandlerAdapter {
        private final Channel other;

        Pipe(Channel other) {
            this.other = other;
        }

        @Override
        public void handlerAdded(ChannelHandlerContext ctx) {
            other.closeFuture().addListener(f -> ctx.channel().close());
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            other.write(msg, other.voidPromise());
            if (!other.isWritable()) {
                ctx.channel().config().setAutoRead(false);
                other.eventLoop().execute(() -> {
                    other.flush();
                });
            }
        }

        @Override
        public void channelReadComplete(ChannelHandlerContext ctx) {
            other.flush();
        }

        @Override
        public void channelWritabilityChanged(ChannelHandlerContext ctx) {
            // this side drained: let the other side read again
            if (ctx.channel().isWritable()) {
                other.config().setAutoRead(true);
            }
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            other.close();
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }
    }
}
