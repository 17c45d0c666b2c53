// The weight gradient of a 3x3 "same" convolution on NHWC activations, two ways: oneDNN's backward-weights
// primitive, and im2col tiles of T output pixels (each pixel's 3x3 window of input channels as one row)
// multiplied by the output gradient with dnnl_sgemm, each OpenMP thread summing its own copy of the
// gradient. Median of 9 alternating runs; a few weights are checked against a Double reference. A
// reference measurement for issue #19 (README, "The one-go hybrid with AVX2 kernels"): the hybrid's U-Net
// shapes at batch 32; not part of the build or the tests.
//
//   O=.dependencies/onednn-3.2
//   gcc -O2 -fopenmp -o /tmp/weight_gradient_im2col scripts/benchmarks/weight_gradient_im2col.c -I$O/include -L$O/lib -Wl,-rpath,$PWD/$O/lib -ldnnl
//   OMP_NUM_THREADS=2 [ONEDNN_MAX_CPU_ISA=AVX2] /tmp/weight_gradient_im2col BATCH SIDE IN_CHANNELS OUT_CHANNELS [T=256]
#include <dnnl.h>
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
static double now(){struct timespec t;clock_gettime(CLOCK_MONOTONIC,&t);return t.tv_sec+t.tv_nsec*1e-9;}
#define CHK(x) do{dnnl_status_t s=(x); if(s){printf("err %d at %s\n",s,#x);exit(1);}}while(0)
static int cmp(const void*a,const void*b){double x=*(double*)a,y=*(double*)b;return x<y?-1:x>y;}
int main(int argc,char**argv){
  int N=atoi(argv[1]),H=atoi(argv[2]),IC=atoi(argv[3]),OC=atoi(argv[4]),T=argc>5?atoi(argv[5]):256; int W=H;
  size_t ns=(size_t)N*H*W*IC, nd=(size_t)N*H*W*OC, nw=(size_t)OC*IC*9;
  float*src=aligned_alloc(64,ns*4),*dst=aligned_alloc(64,nd*4),*dw=aligned_alloc(64,nw*4);
  for(size_t i=0;i<ns;i++) src[i]=(rand()%2001-1000)/1000.f;
  for(size_t i=0;i<nd;i++) dst[i]=(rand()%2001-1000)/1000.f;
  dnnl_engine_t eng; CHK(dnnl_engine_create(&eng,dnnl_cpu,0)); dnnl_stream_t st; CHK(dnnl_stream_create(&st,eng,dnnl_stream_default_flags));
  dnnl_memory_desc_t sd,dd,wd; dnnl_dims_t sdims={N,IC,H,W},ddims={N,OC,H,W},wdims={OC,IC,3,3},str={1,1},dil={0,0},pad={1,1};
  CHK(dnnl_memory_desc_create_with_tag(&sd,4,sdims,dnnl_f32,dnnl_nhwc)); CHK(dnnl_memory_desc_create_with_tag(&dd,4,ddims,dnnl_f32,dnnl_nhwc));
  CHK(dnnl_memory_desc_create_with_tag(&wd,4,wdims,dnnl_f32,dnnl_format_tag_any));
  dnnl_primitive_desc_t fpd,bpd; CHK(dnnl_convolution_forward_primitive_desc_create(&fpd,eng,dnnl_forward_training,dnnl_convolution_direct,sd,wd,NULL,dd,str,dil,pad,pad,NULL));
  CHK(dnnl_convolution_backward_weights_primitive_desc_create(&bpd,eng,dnnl_convolution_direct,sd,wd,NULL,dd,str,dil,pad,pad,fpd,NULL));
  const char*impl; dnnl_primitive_desc_query(bpd,dnnl_query_impl_info_str,0,&impl);
  dnnl_primitive_t bw; CHK(dnnl_primitive_create(&bw,bpd));
  dnnl_memory_t ms,md,mw; CHK(dnnl_memory_create(&ms,sd,eng,src)); CHK(dnnl_memory_create(&md,dd,eng,dst)); const_dnnl_memory_desc_t dwd=dnnl_primitive_desc_query_md(bpd,dnnl_query_diff_weights_md,0); CHK(dnnl_memory_create(&mw,dwd,eng,dw));
  dnnl_exec_arg_t args[3]={{DNNL_ARG_SRC,ms},{DNNL_ARG_DIFF_DST,md},{DNNL_ARG_DIFF_WEIGHTS,mw}};
  int nth=omp_get_max_threads(); int K9=9*IC;
  float**acc=malloc(nth*sizeof(float*)),**col=malloc(nth*sizeof(float*));
  for(int t=0;t<nth;t++){acc[t]=aligned_alloc(64,nw*4);col[t]=aligned_alloc(64,(size_t)T*K9*4);}
  double a[9],b[9];
  for(int r=0;r<9;r++){
    double t0=now(); CHK(dnnl_primitive_execute(bw,st,3,args)); dnnl_stream_wait(st); a[r]=now()-t0;
    t0=now();
    #pragma omp parallel
    { int th=omp_get_thread_num(); float*A=acc[th],*C=col[th]; memset(A,0,nw*4);
      size_t P=(size_t)N*H*W;
      #pragma omp for schedule(static)
      for(size_t p0=0;p0<P;p0+=T){ int rows=(P-p0<(size_t)T)?(int)(P-p0):T;
        for(int i=0;i<rows;i++){ size_t p=p0+i; int n=p/(H*W), y=(p/W)%H, x=p%W; float*c=C+(size_t)i*K9;
          for(int kh=0;kh<3;kh++)for(int kw=0;kw<3;kw++){int yy=y+kh-1,xx=x+kw-1; float*o=c+(kh*3+kw)*IC;
            if(yy<0||yy>=H||xx<0||xx>=W) memset(o,0,IC*4); else memcpy(o,src+(((size_t)n*H+yy)*W+xx)*IC,IC*4);} }
        dnnl_sgemm('T','N',OC,K9,rows,1.f,dst+p0*OC,OC,C,K9,1.f,A,K9); }
    }
    for(int t=1;t<nth;t++) for(size_t i=0;i<nw;i++) acc[0][i]+=acc[t][i];
    b[r]=now()-t0;
  }
  double md2=0; for(int o=0;o<OC;o+=7)for(int k=0;k<9;k++)for(int c=0;c<IC;c+=5){double s=0; int kh=k/3,kw=k%3;
  for(int n=0;n<N;n++)for(int y=0;y<H;y++)for(int x=0;x<W;x++){int yy=y+kh-1,xx=x+kw-1; if(yy<0||yy>=H||xx<0||xx>=W)continue;
   s+=(double)dst[(((size_t)n*H+y)*W+x)*OC+o]*src[(((size_t)n*H+yy)*W+xx)*IC+c];}
  double d=acc[0][(size_t)o*K9+k*IC+c]-s; if(d<0)d=-d; if(d>md2)md2=d;}
  qsort(a,9,8,cmp);qsort(b,9,8,cmp); double fl=2.0*N*H*W*OC*IC*9;
  printf("mb%d %dx%d %d->%d T=%d: oneDNN %s %.1f ms (%.0f GF/s)  im2col+sgemm %.1f ms (%.0f GF/s)  maxdiff %.2e\n",N,H,W,IC,OC,T,impl,a[4]*1e3,fl/a[4]/1e9,b[4]*1e3,fl/b[4]/1e9,md2);
}
